"""The follow-up plan (uppföljningsplan) an officer prepares before the decision, and the
completeness rule an approval needs (DESIGN.md: at least one indicator, a final report due in
time, at least one evaluation)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from grants.models import Application, EvaluationPoint, FollowUpPlan, Indicator, Milestone, MilestoneKind
from grants.permissions import can_handle_application
from portal import audit
from portal.errors import DomainError, PermissionDenied
from portal.models import User


@dataclass
class IndicatorInput:
    objective: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    by_gender: bool


@dataclass
class MilestoneInput:
    kind: str
    due_on: date


def save_plan(session: Session, application: Application, *, responsible_officer_id: int | None,
              indicators: list[IndicatorInput], milestones: list[MilestoneInput], evaluation_dates: list[date],
              by: User, now: datetime) -> FollowUpPlan:
    """Officers prepare the uppföljningsplan before the decision; it may be saved incomplete."""
    if not can_handle_application(by, application):
        raise PermissionDenied(_("Only officers of the committee may prepare the follow-up plan."))
    if not application.is_under_review:
        raise DomainError(_("The follow-up plan can only be prepared before the decision."))
    if responsible_officer_id:
        officer = session.get(User, responsible_officer_id)
        if officer is None or not can_handle_application(officer, application):
            raise DomainError(_("The responsible officer must be an officer of the committee."),
                              field="responsible_officer_id")
    for m in milestones:
        if m.kind not in {k.value for k in MilestoneKind}:
            raise DomainError(_("Choose the kind of report."), field="milestones")
    plan = application.plan
    if plan is None:
        plan = FollowUpPlan(application=application, created_at=now, updated_at=now)
        session.add(plan)
    plan.responsible_officer_id = responsible_officer_id or None
    plan.indicators = [Indicator(objective=i.objective, name=i.name, unit=i.unit, baseline=i.baseline,
                                 target=i.target, by_gender=i.by_gender) for i in indicators]
    plan.milestones = [Milestone(kind=m.kind, due_on=m.due_on) for m in milestones]
    plan.evaluation_points = [EvaluationPoint(due_on=d, description="") for d in evaluation_dates]
    plan.updated_at = now
    session.flush()
    audit.record(session, actor=by, action="follow_up_plan.saved", obj=plan,
                 changes={"application_id": application.id, "responsible_officer_id": responsible_officer_id,
                          "indicators": [[i.name, i.baseline, i.target, i.unit, i.by_gender] for i in indicators],
                          "milestones": [[m.kind, m.due_on] for m in milestones],
                          "evaluation_dates": evaluation_dates}, now=now)
    return plan


@dataclass(frozen=True)
class PlanOutline:
    """What the completeness rule (plan_problems) reads of a follow-up plan."""

    responsible_officer_id: int | None
    indicators: int
    incomplete_indicators: int
    first_final_due: date | None
    evaluation_points: int

    @classmethod
    def of(cls, plan: FollowUpPlan) -> PlanOutline:
        finals = [m.due_on for m in plan.milestones if m.kind == MilestoneKind.FINAL.value]
        return cls(plan.responsible_officer_id, len(plan.indicators),
                   sum(1 for i in plan.indicators if not (i.objective and i.name and i.unit) or i.target is None),
                   min(finals, default=None), len(plan.evaluation_points))


def _plan_outline_statement():
    def counted(model, *conditions):
        return (select(func.count()).select_from(model).where(model.plan_id == FollowUpPlan.id, *conditions)
                .correlate(FollowUpPlan).scalar_subquery())

    # The same test as PlanOutline.of: a text left empty, or no target.
    incomplete = or_(*(func.coalesce(column, "") == "" for column in
                       (Indicator.objective, Indicator.name, Indicator.unit)), Indicator.target.is_(None))
    first_final = (select(func.min(Milestone.due_on)).where(Milestone.plan_id == FollowUpPlan.id,
                                                            Milestone.kind == MilestoneKind.FINAL.value)
                   .correlate(FollowUpPlan).scalar_subquery())
    return (select(FollowUpPlan.responsible_officer_id, counted(Indicator), counted(Indicator, incomplete),
                   first_final, counted(EvaluationPoint))
            .where(FollowUpPlan.application_id == bindparam("application_id")))


# Built once: putting its four subqueries together again costs more than running it.
_PLAN_OUTLINE = _plan_outline_statement()


def plan_outline(session: Session, application_id: int) -> PlanOutline | None:
    """PlanOutline.of(the application's plan), read in one query without loading the plan's rows;
    None when there is no plan."""
    row = session.execute(_PLAN_OUTLINE, {"application_id": application_id}).first()
    return PlanOutline(*row) if row is not None else None


def plan_problems(plan: FollowUpPlan | None, period_end: date | None, max_days: int) -> list[str]:
    """Why the plan is not complete yet (empty list = complete)."""
    return outline_problems(PlanOutline.of(plan) if plan is not None else None, period_end, max_days)


def outline_problems(outline: PlanOutline | None, period_end: date | None, max_days: int) -> list[str]:
    """plan_problems() for a plan read as a PlanOutline."""
    if outline is None:
        return [_("There is no follow-up plan.")]
    problems = []
    if not outline.indicators:
        problems.append(_("Add at least one objective with an indicator."))
    if outline.incomplete_indicators:
        problems.append(_("Every indicator needs an objective, a name, a unit, a baseline and a target."))
    if outline.first_final_due is None:
        problems.append(_("Add a final report milestone."))
    elif period_end is not None and outline.first_final_due > period_end + timedelta(days=max_days):
        problems.append(_("The final report must be due no later than %(days)s days after the period ends.",
                          days=max_days))
    if not outline.evaluation_points:
        problems.append(_("Add at least one evaluation date."))
    if outline.responsible_officer_id is None:
        problems.append(_("Name a responsible officer."))
    return problems
