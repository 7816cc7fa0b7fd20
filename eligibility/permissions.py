"""Who may screen, report and see findings, decide withdrawals. Checked on the object, with its
committee, on the server (see portal.auth.permissions for the rule)."""
from __future__ import annotations

from typing import Any

from organisations.models import Organisation
from organisations.permissions import is_representative
from portal.auth.permissions import can_administer, is_committee_staff, staff_committee_ids
from portal.models import Role, User


def _authenticated(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def _application_committee_id(application: Any) -> int | None:
    """The committee that owns an application. Eligibility does not import grants (grants depends on
    it): the application comes from the "application" fact provider, and only its programme's
    committee is read here."""
    return application.programme.committee_id


def can_screen_application(user: User, application: Any) -> bool:
    """Officers and decision makers of the application's committee, and coordinators. The decision
    maker may run it again because approval needs a fresh valid screening (DESIGN.md)."""
    return _authenticated(user) and (user.is_coordinator
                                     or is_committee_staff(user, _application_committee_id(application)))


def can_screen_organisation(user: User, organisation: Organisation) -> bool:
    """A screening of the organisation alone: coordinators and the officers of any committee.

    An organisation belongs to no committee: it is in the shared register, which every committee's
    staff reads, and its eligibility counts for every committee's applications (DESIGN.md,
    eligibility). Screening is officers' work ("review ... screen eligibility"); a decision maker
    screens only within an application of their own committee (`can_screen_application`)."""
    return _authenticated(user) and (user.is_coordinator or user.holds_role_anywhere(Role.OFFICER))


def can_view_screening(user: User, screening, application: Any | None = None) -> bool:
    """A screening of an application is seen by those who may see the application as staff: its
    committee's officers and decision makers and the coordinators (as
    `grants.permissions.can_view_application_as_staff`); `application` is the screening's own,
    and without it the answer is no. A screening of the organisation alone is seen by those who
    see the organisation in the register: staff of every committee and the coordinators."""
    if not _authenticated(user):
        return False
    if screening.application_id is not None:
        if application is None or application.id != screening.application_id:
            return False
        return can_view_application_screening(user, _application_committee_id(application))
    return user.is_staff


def can_view_application_screening(user: User, committee_id: int | None) -> bool:
    """The answer of `can_view_screening` for a screening of an application of this committee, for
    lists that read the committees of many applications at once (`services.openable_screening_ids`)."""
    return _authenticated(user) and (user.is_coordinator or is_committee_staff(user, committee_id))


def can_resolve_screening(user: User, screening, application: Any | None = None) -> bool:
    """Assess a rule the engine could not decide: whoever may run that screening
    (`can_screen_application` for an application's, `can_screen_organisation` for the organisation's)."""
    if screening.application_id is not None:
        return (application is not None and application.id == screening.application_id
                and can_screen_application(user, application))
    return can_screen_organisation(user, screening.organisation)


def can_report_finding(user: User, organisation: Organisation) -> bool:
    """Staff of any committee and coordinators: conduct is reported from wherever it is seen."""
    return _authenticated(user) and user.is_staff


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
