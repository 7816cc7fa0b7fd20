"""Evaluations (utvärdering) by the granting committee.

The scheduler creates one when an evaluation point of the follow-up plan falls due (the unique
evaluation_point_id makes that idempotent). An officer of the granting committee completes it:
goal attainment per indicator from the approved reports, a rating, lessons, a recommendation, and
whether to share it in the experience bank (guidelines: experience is exchanged between committees).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from grants.models import EvaluationPoint, FollowUpPlan, Grant, GrantStatus, Milestone
from monitoring.experiences import create_from_evaluation
from monitoring.models import Evaluation, EvaluationStatus, GranteeReport, Recommendation, ReportStatus
from monitoring.permissions import can_complete_evaluation
from monitoring.queries import base_url, plan_for_grant
from portal import audit, outbox
from portal.errors import DomainError, PermissionDenied
from portal.models import User

RECOMMENDATIONS = [r.value for r in Recommendation]


def create_due_evaluations(session: Session, now: datetime) -> dict:
    """Create the evaluation of every evaluation point that has fallen due, once, and tell the
    plan's responsible officer. Withdrawn grants are not evaluated."""
    rows = session.execute(
        select(EvaluationPoint, Grant, FollowUpPlan)
        .join(FollowUpPlan, EvaluationPoint.plan_id == FollowUpPlan.id)
        .join(Grant, Grant.application_id == FollowUpPlan.application_id)
        .outerjoin(Evaluation, Evaluation.evaluation_point_id == EvaluationPoint.id)
        .where(EvaluationPoint.due_on <= now.date(), Evaluation.id.is_(None),
               Grant.status != GrantStatus.WITHDRAWN.value)
        .order_by(EvaluationPoint.due_on, EvaluationPoint.id)
    ).all()
    for point, grant, plan in rows:
        evaluation = Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                                status=EvaluationStatus.DUE.value, due_on=point.due_on, created_at=now,
                                attainment=[], share=False)
        session.add(evaluation)
        audit.record(session, actor=None, action="evaluation.created", obj=evaluation,
                     changes={"grant_id": grant.id, "due_on": point.due_on}, now=now)
        officer = plan.responsible_officer
        if officer is not None:
            outbox.queue(
                session, to=officer.email, now=now, dedup_key=f"evaluation-due:{point.id}",
                subject=_("Evaluation due: %(title)s", title=grant.application.title),
                body=_("The evaluation of the grant \"%(title)s\" to %(org)s is due on %(date)s. "
                       "Complete it in the grants portal: %(url)s/monitoring/evaluations/%(id)s",
                       title=grant.application.title, org=grant.organisation.name,
                       date=point.due_on.isoformat(), url=base_url(), id=evaluation.id))
    return {"created": len(rows)}


def _decimal_str(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def compute_attainment(session: Session, grant: Grant) -> tuple[list[dict], Decimal | None]:
    """Target against actual per indicator, the actual taken from the latest approved report that
    gives a value (by gender where the indicator is counted so). The share is the mean of
    actual/target with each indicator capped at 1, so one indicator far over target cannot hide
    another far under it."""
    plan = plan_for_grant(session, grant)
    if plan is None:
        return [], None
    reports = session.scalars(
        select(GranteeReport).join(Milestone, GranteeReport.milestone_id == Milestone.id)
        .where(GranteeReport.grant_id == grant.id, GranteeReport.status == ReportStatus.APPROVED.value)
        .order_by(Milestone.due_on.desc(), GranteeReport.id.desc())).all()
    latest: dict[int, object] = {}
    for report in reports:
        for value in report.indicator_values:
            latest.setdefault(value.indicator_id, value)
    rows, ratios = [], []
    for indicator in plan.indicators:
        value = latest.get(indicator.id)
        row = {"indicator_id": indicator.id, "name": indicator.name, "unit": indicator.unit,
               "by_gender": indicator.by_gender, "target": _decimal_str(indicator.target),
               "actual": _decimal_str(value.value) if value else None}
        if indicator.by_gender:
            row.update({f"actual_{g}": _decimal_str(getattr(value, f"value_{g}")) if value else None
                        for g in ("women", "men", "other")})
        if value is not None and indicator.target and indicator.target > 0:
            ratio = min(Decimal(value.value) / Decimal(indicator.target), Decimal(1))
            row["ratio"] = str(ratio.quantize(Decimal("0.001")))
            ratios.append(ratio)
        rows.append(row)
    share = (sum(ratios) / len(ratios)).quantize(Decimal("0.001")) if ratios else None
    return rows, share


def complete_evaluation(session: Session, evaluation: Evaluation, *, by: User, now: datetime, rating: int,
                        what_worked: str, what_did_not: str, lessons: str, recommendation: str,
                        share: bool) -> Evaluation:
    """An officer of the granting committee completes a due evaluation. Sharing it puts its lessons
    in the experience bank for every committee."""
    if not can_complete_evaluation(by, evaluation):
        raise PermissionDenied(_("Only an officer of the granting committee may evaluate this grant."))
    if evaluation.status != EvaluationStatus.DUE.value:
        raise DomainError(_("This evaluation is already completed."))
    if rating not in range(1, 6):
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    if recommendation not in RECOMMENDATIONS:
        raise DomainError(_("Choose a recommendation."), field="recommendation")
    if not lessons.strip():
        raise DomainError(_("Write down the lessons learned."), field="lessons")
    attainment, attainment_share = compute_attainment(session, evaluation.grant)
    values = {"rating": rating, "what_worked": what_worked.strip(), "what_did_not": what_did_not.strip(),
              "lessons": lessons.strip(), "recommendation": recommendation, "share": share}
    for key, value in values.items():
        setattr(evaluation, key, value)
    evaluation.attainment = attainment
    evaluation.attainment_share = attainment_share
    evaluation.status = EvaluationStatus.COMPLETED.value
    evaluation.completed_at = now
    evaluation.completed_by_id = by.id
    audit.record(session, actor=by, action="evaluation.completed", obj=evaluation,
                 changes={**values, "attainment_share": attainment_share}, now=now)
    if share:
        create_from_evaluation(session, evaluation, by=by, now=now)
    return evaluation
