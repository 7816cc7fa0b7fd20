"""Who may do what with programmes, applications and grants: always answered per object."""
from __future__ import annotations

from organisations.permissions import is_representative
from portal.auth.permissions import is_committee_staff
from portal.models import Role, User


def _auth(user: User) -> bool:
    return bool(user and user.is_authenticated)


def can_manage_programmes(user: User, committee_id: int) -> bool:
    """Officers create, edit and publish their own committee's programmes."""
    return _auth(user) and user.has_committee_role(Role.OFFICER, committee_id)


def can_view_programme_admin(user: User, programme) -> bool:
    return is_staff_of(user, programme.committee_id)


def is_staff_of(user: User, committee_id: int) -> bool:
    """Officer or decision maker of this very committee."""
    return is_committee_staff(user, committee_id)


def can_view_application_as_staff(user: User, application) -> bool:
    """The programme's committee staff, and coordinators (read-only), see submitted work."""
    return _auth(user) and (is_staff_of(user, application.programme.committee_id) or user.is_coordinator)


def can_act_for_application(user: User, application) -> bool:
    """Only the organisation's representatives edit, submit or withdraw its application."""
    return _auth(user) and is_representative(user, application.organisation_id)


def can_handle_application(user: User, application) -> bool:
    """Officers of the programme's committee return, assign reviewers, review and prepare the plan
    (and only they are reviewers and the plan's responsible officer). Screening is
    `eligibility.permissions.can_screen_application`."""
    return _auth(user) and user.has_committee_role(Role.OFFICER, application.programme.committee_id)


def can_decide(user: User, application) -> bool:
    return _auth(user) and user.has_committee_role(Role.DECISION_MAKER, application.programme.committee_id)


def can_view_grant(user: User, grant) -> bool:
    return _auth(user) and (is_staff_of(user, grant.committee_id) or user.is_coordinator
                            or is_representative(user, grant.organisation_id))


def can_manage_grant(user: User, grant) -> bool:
    return _auth(user) and user.has_committee_role(Role.OFFICER, grant.committee_id)


def can_download_letter(user: User, application) -> bool:
    """The organisation's representatives and the committee's staff (and coordinators)."""
    return _auth(user) and (can_view_application_as_staff(user, application)
                            or is_representative(user, application.organisation_id))
