"""Who may screen, report and see findings, decide withdrawals. Checked on the object, on the server."""
from __future__ import annotations

from typing import Any

from organisations.models import Organisation
from organisations.permissions import is_representative
from portal.auth.permissions import can_administer, is_committee_staff, staff_committee_ids
from portal.models import Role, User


def _authenticated(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def can_screen(user: User, organisation: Organisation, application: Any | None = None) -> bool:
    """Coordinators and decision makers; officers of the application's committee (any committee's
    officer for a screening of the organisation alone)."""
    if not _authenticated(user):
        return False
    if user.is_coordinator or user.has_role(Role.DECISION_MAKER):
        return True
    if application is not None:
        return user.has_role(Role.OFFICER, application.programme.committee_id)
    return user.has_role(Role.OFFICER)


def can_view_screening(user: User, screening) -> bool:
    return _authenticated(user) and user.is_staff


def can_resolve(user: User, screening, application: Any | None = None) -> bool:
    return can_screen(user, screening.organisation, application)


def can_report_finding(user: User, organisation: Organisation) -> bool:
    """Officers of any committee and coordinators."""
    return _authenticated(user) and (user.is_coordinator or user.has_role(Role.OFFICER)
                                     or user.has_role(Role.DECISION_MAKER))


def can_see_finding_details(user: User, finding=None) -> bool:
    return _authenticated(user) and user.is_coordinator


def can_see_finding_status(user: User, finding) -> bool:
    """The reporter and the staff of the reporting committee see the status, not the details."""
    if not _authenticated(user):
        return False
    if user.is_coordinator or finding.reported_by_id == user.id:
        return True
    return finding.reporting_committee_id is not None and is_committee_staff(user, finding.reporting_committee_id)


def can_assess_finding(user: User, finding=None) -> bool:
    return _authenticated(user) and user.is_coordinator


def can_decide_case(user: User, case=None) -> bool:
    return _authenticated(user) and user.is_coordinator


def can_reply_to_notice(user: User, case) -> bool:
    """Only the organisation's own representatives answer its notice."""
    return _authenticated(user) and is_representative(user, case.organisation_id)


def can_view_case(user: User, case) -> bool:
    return _authenticated(user) and (user.is_coordinator or is_representative(user, case.organisation_id))


def can_manage_rule_sets(user: User) -> bool:
    return can_administer(user)


def reporting_committee_for(user: User) -> int | None:
    """The committee a finding is reported from: the reporter's own (the first, if several)."""
    ids = sorted(staff_committee_ids(user))
    return ids[0] if ids else None
