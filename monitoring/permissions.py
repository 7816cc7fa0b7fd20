"""Who may see and do what in follow-up. Checked on the object, on the server."""
from __future__ import annotations

from grants.models import Grant
from monitoring.models import Evaluation
from organisations.permissions import is_representative
from portal.auth.permissions import is_committee_staff
from portal.models import Role, User


def can_view_report(user: User, grant: Grant) -> bool:
    """The organisation's representatives, staff of the granting committee, coordinators (read)."""
    return bool(user.is_authenticated and (
        user.is_coordinator or is_committee_staff(user, grant.committee_id)
        or is_representative(user, grant.organisation_id)))


def can_edit_report(user: User, grant: Grant) -> bool:
    """Only the organisation's own representatives fill in and submit its reports."""
    return bool(user.is_authenticated and is_representative(user, grant.organisation_id))


def can_review_report(user: User, grant: Grant) -> bool:
    """Officers of the granting committee approve or return reports."""
    return bool(user.is_authenticated and user.has_committee_role(Role.OFFICER, grant.committee_id))


def can_view_evaluation(user: User, evaluation: Evaluation) -> bool:
    """Evaluations are internal: staff of the granting committee and coordinators."""
    return bool(user.is_authenticated and (user.is_coordinator or is_committee_staff(user, evaluation.committee_id)))


def can_complete_evaluation(user: User, evaluation: Evaluation) -> bool:
    """The responsible officer, or another officer of the granting committee."""
    return bool(user.is_authenticated and user.has_committee_role(Role.OFFICER, evaluation.committee_id))


def can_search_experiences(user: User) -> bool:
    """Staff of every committee and the coordinators."""
    return bool(user.is_authenticated and user.is_staff)


def can_curate_experiences(user: User) -> bool:
    return bool(user.is_authenticated and user.is_coordinator)
