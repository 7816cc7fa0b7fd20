"""Facts eligibility's rules need but only grants knows, offered through eligibility's registry."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligibility.screening import register_fact_provider
from grants.followup import milestone_overdue
from grants.models import Application, FollowUpPlan, Grant, Milestone, Programme


def overdue_reports_by_organisation(session: Session, organisation_ids: Sequence[int],
                                    today: date) -> dict[int, list[dict]]:
    """Each organisation's overdue reports (grants.followup.report_overdue), oldest first; one query
    for all the organisations."""
    overdue: dict[int, list[dict]] = {oid: [] for oid in organisation_ids}
    rows = session.execute(
        select(Grant.organisation_id, Milestone.id, Milestone.kind, Milestone.due_on, Grant.id.label("grant_id"))
        .join(FollowUpPlan, Milestone.plan_id == FollowUpPlan.id)
        .join(Grant, Grant.application_id == FollowUpPlan.application_id)
        .where(Grant.organisation_id.in_(organisation_ids), milestone_overdue(today))
        .order_by(Milestone.due_on, Milestone.id))
    for r in rows:
        overdue[r.organisation_id].append({"milestone_id": r.id, "kind": r.kind, "due_on": r.due_on,
                                           "grant_id": r.grant_id})
    return overdue


def overdue_reports(session: Session, organisation_id: int, today: date) -> list[dict]:
    """The organisation's overdue reports (grants.followup.report_overdue), oldest first."""
    return overdue_reports_by_organisation(session, [organisation_id], today)[organisation_id]


def active_grant_count(session: Session, organisation_id: int) -> int:
    return len(session.scalars(select(Grant.id).where(Grant.organisation_id == organisation_id,
                                                     Grant.status == "active")).all())


def load_application(session: Session, application_id: int):
    return session.get(Application, application_id)


def application_committees(session: Session, application_ids: Sequence[int]) -> dict[int, int]:
    """{application id: the committee that owns it}, in one query, for eligibility's permission on
    screenings of applications (eligibility.permissions.can_view_application_screening)."""
    if not application_ids:
        return {}
    return dict(session.execute(select(Application.id, Programme.committee_id)
                                .join(Programme, Programme.id == Application.programme_id)
                                .where(Application.id.in_(application_ids))).all())


def register(app=None) -> None:
    register_fact_provider("overdue_reports", overdue_reports)
    register_fact_provider("overdue_reports_by_organisation", overdue_reports_by_organisation)
    register_fact_provider("application", load_application)
    register_fact_provider("application_committees", application_committees)
    register_fact_provider("active_grant_count", active_grant_count)
