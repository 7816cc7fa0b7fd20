"""The grant rules: programmes, applications, reviews, follow-up plans and decisions.

Plain functions: they take a session and `now`, change state together with its audit event
(and e-mail through the outbox) and raise DomainError with the field a message belongs to.
The caller commits or rolls back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eligibility.screening import NoRuleSet, latest_valid_screening, screen
from grants.models import (Application, ApplicationStatus, BudgetLine, Criterion, Decision, DecisionOutcome,
                           EvaluationPoint, FollowUpPlan, Grant, GrantStatus, Indicator, Milestone, MilestoneKind,
                           Programme, ProgrammeStatus, Review, ReviewScore, Tranche)
from organisations.declarations import declaration_status
from organisations.models import Organisation, Representative
from portal import audit, outbox
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import Committee, Role, User

GENDERS = ("women", "men", "other")
AGE_BANDS = ("0-17", "18-25", "26-64", "65+")
EDITABLE_STATUSES = (ApplicationStatus.DRAFT.value, ApplicationStatus.RETURNED.value)
WITHDRAWABLE_STATUSES = (ApplicationStatus.DRAFT.value, ApplicationStatus.SUBMITTED.value,
                         ApplicationStatus.IN_REVIEW.value, ApplicationStatus.RETURNED.value)
RECOMMENDATIONS = tuple(o.value for o in DecisionOutcome)
APPEAL_INFO = {
    "sv": ("Beslutet kan överklagas genom laglighetsprövning enligt 13 kap. kommunallagen (2017:725). "
           "Överklagandet ska ha kommit in till förvaltningsrätten inom tre veckor från den dag då det "
           "tillkännagavs på kommunens anslagstavla att protokollet över beslutet justerats."),
    "en": ("The decision can be appealed by a review of legality (laglighetsprövning) under chapter 13 of "
           "the Local Government Act (kommunallagen 2017:725). The appeal must reach the administrative "
           "court within three weeks of the day the minutes of the decision were posted on the municipality's "
           "notice board."),
}


# ---------------------------------------------------------------- programmes

@dataclass
class CriterionInput:
    name: str
    weight: int
    description: str = ""


def _check_programme(values: dict, criteria: list[CriterionInput]) -> None:
    if not (values.get("title") or "").strip():
        raise DomainError(_("Enter a title."), field="title")
    if values["opens_on"] is None or values["closes_on"] is None:
        raise DomainError(_("Enter the opening and closing dates."), field="closes_on")
    if values["closes_on"] < values["opens_on"]:
        raise DomainError(_("The programme cannot close before it opens."), field="closes_on")
    if values["budget"] <= 0:
        raise DomainError(_("The budget must be more than zero."), field="budget")
    if not 0 < values["max_per_grant"] <= values["budget"]:
        raise DomainError(_("The maximum per grant must be more than zero and at most the budget."),
                          field="max_per_grant")
    for c in criteria:
        if c.weight < 1:
            raise DomainError(_("Every criterion needs a weight of at least 1."), field="criteria")


PROGRAMME_FIELDS = ("title", "description", "action_area", "target_groups", "districts", "budget", "max_per_grant",
                    "opens_on", "closes_on", "reporting_rhythm")


def create_programme(session: Session, *, committee_id: int, values: dict, criteria: list[CriterionInput],
                     by: User, now: datetime) -> Programme:
    if not by.has_role(Role.OFFICER, committee_id):
        raise PermissionDenied(_("Only officers of the committee may create its programmes."))
    _check_programme(values, criteria)
    programme = Programme(committee_id=committee_id, created_by_id=by.id, created_at=now,
                          status=ProgrammeStatus.DRAFT.value, **{k: values[k] for k in PROGRAMME_FIELDS})
    programme.criteria = [Criterion(position=i, name=c.name, description=c.description, weight=c.weight)
                          for i, c in enumerate(criteria)]
    session.add(programme)
    session.flush()
    audit.record(session, actor=by, action="programme.created", obj=programme,
                 changes={k: values[k] for k in PROGRAMME_FIELDS}, now=now)
    return programme


def update_programme(session: Session, programme: Programme, *, values: dict, criteria: list[CriterionInput],
                     by: User, now: datetime) -> Programme:
    if not by.has_role(Role.OFFICER, programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may edit its programmes."))
    _check_programme(values, criteria)
    changes = audit.diff(programme, {k: values[k] for k in PROGRAMME_FIELDS})
    for key in PROGRAMME_FIELDS:
        setattr(programme, key, values[key])
    old = [(c.name, c.weight) for c in programme.criteria]
    new = [(c.name, c.weight) for c in criteria]
    if old != new:
        scored = session.scalar(select(func.count(ReviewScore.id)).join(Criterion)
                                .where(Criterion.programme_id == programme.id))
        if scored:
            raise DomainError(_("Criteria cannot change after reviewers have scored them."), field="criteria")
        programme.criteria = [Criterion(position=i, name=c.name, description=c.description, weight=c.weight)
                              for i, c in enumerate(criteria)]
        changes["criteria"] = [old, new]
    audit.record(session, actor=by, action="programme.updated", obj=programme, changes=changes, now=now)
    return programme


def publish_programme(session: Session, programme: Programme, *, by: User, now: datetime) -> Programme:
    if not by.has_role(Role.OFFICER, programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may publish its programmes."))
    if programme.status != ProgrammeStatus.DRAFT.value:
        raise DomainError(_("Only a draft programme can be published."))
    if not programme.criteria:
        raise DomainError(_("Add at least one assessment criterion before publishing."), field="criteria")
    programme.status = ProgrammeStatus.PUBLISHED.value
    programme.published_at = now
    audit.record(session, actor=by, action="programme.published", obj=programme, now=now)
    return programme


def is_open(programme: Programme, today: date) -> bool:
    return (programme.status == ProgrammeStatus.PUBLISHED.value
            and programme.opens_on <= today <= programme.closes_on)


def close_ended_programmes(session: Session, now: datetime) -> dict:
    """The scheduler's "programme opening and closing" (DESIGN.md, Scheduler): a published programme
    whose closing date has passed becomes closed, audited, with no actor. A published programme
    opens on its opening date by the dates alone (is_open), so opening changes no state.
    Idempotent: a closed programme is no longer published, so a second run finds nothing."""
    ended = session.scalars(select(Programme).where(Programme.status == ProgrammeStatus.PUBLISHED.value,
                                                    Programme.closes_on < now.date())
                            .order_by(Programme.id)).all()
    for programme in ended:
        programme.status = ProgrammeStatus.CLOSED.value
        audit.record(session, actor=None, action="programme.closed", obj=programme,
                     changes={"status": [ProgrammeStatus.PUBLISHED.value, ProgrammeStatus.CLOSED.value],
                              "closes_on": programme.closes_on}, now=now)
    opened = session.scalar(select(func.count(Programme.id)).where(
        Programme.status == ProgrammeStatus.PUBLISHED.value, Programme.opens_on == now.date())) or 0
    return {"closed": len(ended), "opening_today": int(opened)}


def open_programmes_query(today: date, committee_id: int | None = None, action_area: str | None = None):
    stmt = (select(Programme).where(Programme.status == ProgrammeStatus.PUBLISHED.value,
                                    Programme.opens_on <= today, Programme.closes_on >= today)
            .order_by(Programme.closes_on, Programme.id))
    if committee_id:
        stmt = stmt.where(Programme.committee_id == committee_id)
    if action_area:
        stmt = stmt.where(Programme.action_area == action_area)
    return stmt


def remaining_budget(session: Session, programme: Programme) -> int:
    granted = session.scalar(select(func.coalesce(func.sum(Grant.amount), 0))
                             .where(Grant.programme_id == programme.id)) or 0
    return programme.budget - int(granted)


# ---------------------------------------------------------------- applications

def representative_emails(session: Session, organisation_id: int) -> list[str]:
    return list(session.scalars(select(User.email).join(Representative, Representative.user_id == User.id)
                                .where(Representative.organisation_id == organisation_id).order_by(User.email)))


def _mail_representatives(session: Session, application: Application, subject: str, body: str,
                          now: datetime) -> None:
    for email in representative_emails(session, application.organisation_id):
        outbox.queue(session, to=email, subject=subject, body=body, now=now)


def start_application(session: Session, *, programme: Programme, organisation: Organisation, by: User,
                      now: datetime) -> Application:
    from organisations.permissions import is_representative

    if not is_representative(by, organisation.id):
        raise PermissionDenied(_("You do not represent this organisation."))
    if not is_open(programme, now.date()):
        raise DomainError(_("The programme is not open for applications."))
    application = Application(organisation_id=organisation.id, programme_id=programme.id, created_by_id=by.id,
                              status=ApplicationStatus.DRAFT.value, last_step=1, created_at=now, updated_at=now,
                              expected_participants={}, requested_amount=0)
    session.add(application)
    session.flush()
    audit.record(session, actor=by, action="application.created", obj=application,
                 changes={"programme_id": programme.id, "organisation_id": organisation.id}, now=now)
    return application


@dataclass
class BudgetLineInput:
    category: str
    amount: int
    own_funding: int = 0
    other_funding: int = 0
    description: str = ""


def budget_totals(application: Application) -> dict:
    total = sum(line.amount for line in application.budget_lines)
    own = sum(line.own_funding for line in application.budget_lines)
    other = sum(line.other_funding for line in application.budget_lines)
    return {"total": total, "own": own, "other": other, "gap": total - own - other}


def _check_requested(application: Application) -> None:
    requested = application.requested_amount
    if requested > application.programme.max_per_grant:
        raise DomainError(_("The requested amount is more than the programme's maximum per grant."),
                          field="requested_amount")
    if requested > budget_totals(application)["gap"]:
        raise DomainError(_("The requested amount is more than the budget's total cost minus own and other "
                            "funding."), field="requested_amount")


def _require_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise DomainError(_("The application is submitted and can no longer be changed."))


def save_step(session: Session, application: Application, step: int, values: dict, *, by: User,
              now: datetime) -> Application:
    """Save one step of the draft. Steps: 1 basics, 2 content, 3 participants, 4 period and budget,
    5 partners and attachments."""
    _require_editable(application)
    changes: dict = {}
    if step == 1:
        if not (values.get("title") or "").strip():
            raise DomainError(_("Enter a title."), field="title")
        changes = audit.diff(application, {"title": values["title"].strip()})
        application.title = values["title"].strip()
    elif step == 2:
        fields = {k: (values.get(k) or "").strip() for k in ("aims", "activities", "method", "target_group")}
        changes = audit.diff(application, fields)
        for key, value in fields.items():
            setattr(application, key, value)
    elif step == 3:
        participants = {g: {band: max(0, int(values.get(g, {}).get(band) or 0)) for band in AGE_BANDS}
                        for g in GENDERS}
        changes = audit.diff(application, {"expected_participants": participants})
        application.expected_participants = participants
    elif step == 4:
        start, end = values.get("period_start"), values.get("period_end")
        if start is None or end is None:
            raise DomainError(_("Enter the start and end of the period."), field="period_end")
        if end < start:
            raise DomainError(_("The period cannot end before it starts."), field="period_end")
        lines: list[BudgetLineInput] = values.get("budget_lines", [])
        for line in lines:
            if line.own_funding + line.other_funding > line.amount:
                raise DomainError(_("Own and other funding cannot exceed the line's amount."), field="budget_lines")
        changes = audit.diff(application, {"period_start": start, "period_end": end,
                                           "requested_amount": values["requested_amount"]})
        application.period_start, application.period_end = start, end
        application.requested_amount = values["requested_amount"]
        application.budget_lines = [BudgetLine(category=line.category, description=line.description,
                                               amount=line.amount, own_funding=line.own_funding,
                                               other_funding=line.other_funding) for line in lines]
        changes["budget_lines"] = [[line.category, line.amount, line.own_funding, line.other_funding]
                                   for line in lines]
        _check_requested(application)
    elif step == 5:
        changes = audit.diff(application, {"partners": (values.get("partners") or "").strip()})
        application.partners = (values.get("partners") or "").strip()
    application.last_step = max(application.last_step, min(step + 1, 6))
    application.updated_at = now
    audit.record(session, actor=by, action="application.draft_saved", obj=application,
                 changes={"step": step, **changes}, now=now)
    return application


def missing_parts(application: Application) -> list[str]:
    missing = []
    if not application.title:
        missing.append(_("title"))
    if not application.aims or not application.activities:
        missing.append(_("aims and activities"))
    if not application.period_start or not application.period_end:
        missing.append(_("period"))
    if not application.budget_lines:
        missing.append(_("budget"))
    if application.requested_amount <= 0:
        missing.append(_("requested amount"))
    return missing


DECLARATION_REASONS = {
    "missing": lambda: _("The organisation has not signed the democracy declaration."),
    "expired": lambda: _("The organisation's democracy declaration has expired. Sign it again before submitting."),
    "old_version": lambda: _("The democracy declaration has a new version. Sign the new version before "
                             "submitting."),
    "no_text": lambda: _("No democracy declaration is published yet, so no application can be submitted."),
}


def submit_application(session: Session, application: Application, *, by: User, now: datetime) -> Application:
    """Submission rules (issue 4): open programme, valid declaration, organisation not barred.
    Submitting freezes the application, gives it a reference, screens it and mails a receipt."""
    from organisations.permissions import is_representative

    if not is_representative(by, application.organisation_id):
        raise PermissionDenied(_("You do not represent this organisation."))
    _require_editable(application)
    if not is_open(application.programme, now.date()):
        raise DomainError(_("The programme is closed, so the application cannot be submitted."))
    organisation = application.organisation
    if organisation.is_barred:
        raise DomainError(_("The organisation is barred from all support and cannot apply."))
    status = declaration_status(session, organisation.id, now)
    if not status.valid:
        raise DomainError(DECLARATION_REASONS[status.reason]())
    missing = missing_parts(application)
    if missing:
        raise DomainError(_("The application is not complete. Missing: %(parts)s.", parts=", ".join(missing)))
    _check_requested(application)
    resubmission = application.status == ApplicationStatus.RETURNED.value
    if application.reference is None:
        application.reference = f"{now.year}-{application.id:06d}"
    application.status = ApplicationStatus.SUBMITTED.value
    application.submitted_at = now
    application.updated_at = now
    application.last_step = 6
    session.flush()
    audit.record(session, actor=by, action="application.resubmitted" if resubmission else "application.submitted",
                 obj=application, changes={"reference": application.reference,
                                           "requested_amount": application.requested_amount}, now=now)
    try:
        screen(session, organisation=organisation, application=application, trigger="submitted", by=by, now=now)
    except NoRuleSet:
        pass  # the officer runs the screening once a rule set is published
    _mail_representatives(
        session, application,
        _("Application %(ref)s received", ref=application.reference),
        _("We have received the application \"%(title)s\" (reference %(ref)s) to %(programme)s.",
          title=application.title, ref=application.reference, programme=application.programme.title), now)
    return application


def return_for_completion(session: Session, application: Application, *, message: str, by: User,
                          now: datetime) -> Application:
    if not by.has_role(Role.OFFICER, application.programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may return applications."))
    if application.status not in (ApplicationStatus.SUBMITTED.value, ApplicationStatus.IN_REVIEW.value):
        raise DomainError(_("Only a submitted application can be returned for completion."))
    if not (message or "").strip():
        raise DomainError(_("Tell the applicant what to complete."), field="message")
    application.status = ApplicationStatus.RETURNED.value
    application.return_message = message.strip()
    application.updated_at = now
    audit.record(session, actor=by, action="application.returned", obj=application, reason=message.strip(), now=now)
    _mail_representatives(
        session, application, _("Application %(ref)s returned for completion", ref=application.reference),
        _("The committee asks you to complete the application %(ref)s:\n\n%(message)s",
          ref=application.reference, message=message.strip()), now)
    return application


def withdraw_application(session: Session, application: Application, *, by: User, now: datetime) -> Application:
    from organisations.permissions import is_representative

    if not is_representative(by, application.organisation_id):
        raise PermissionDenied(_("You do not represent this organisation."))
    if application.status not in WITHDRAWABLE_STATUSES:
        raise DomainError(_("The application can no longer be withdrawn."))
    application.status = ApplicationStatus.WITHDRAWN.value
    application.updated_at = now
    audit.record(session, actor=by, action="application.withdrawn", obj=application, now=now)
    return application


def run_screening(session: Session, application: Application, *, by: User, now: datetime):
    if not by.has_role(Role.OFFICER, application.programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may screen applications."))
    try:
        return screen(session, organisation=application.organisation, application=application, trigger="manual",
                      by=by, now=now)
    except NoRuleSet:
        raise DomainError(_("No eligibility rule set is published yet.")) from None


# Built once (the statement costs more to put together than to run); see earlier_grants().
_EARLIER_GRANTS = (
    select(Application.reference, Committee.name.label("committee_name"), Grant.amount, Grant.status)
    .select_from(Grant)
    .join(Application, Application.id == Grant.application_id)
    .join(Committee, Committee.id == Grant.committee_id)
    .where(Grant.organisation_id == bindparam("organisation_id"),
           Grant.application_id != bindparam("exclude_application_id"))
    .order_by(Grant.created_at.desc()))


def earlier_grants(session: Session, organisation_id: int, exclude_application_id: int) -> list:
    """The organisation's other grants, newest first, as rows (reference, committee_name, amount,
    status): what the application page lists, without building the grants themselves."""
    return session.execute(_EARLIER_GRANTS, {"organisation_id": organisation_id,
                                             "exclude_application_id": exclude_application_id}).all()


# ---------------------------------------------------------------- reviews

REVIEWABLE_STATUSES = (ApplicationStatus.SUBMITTED.value, ApplicationStatus.IN_REVIEW.value)


def assign_reviewer(session: Session, application: Application, *, reviewer: User, by: User,
                    now: datetime) -> Review:
    committee_id = application.programme.committee_id
    if not by.has_role(Role.OFFICER, committee_id):
        raise PermissionDenied(_("Only officers of the committee may assign reviewers."))
    if not reviewer.has_role(Role.OFFICER, committee_id):
        raise DomainError(_("The reviewer must be an officer of the committee."), field="reviewer_id")
    if application.status not in REVIEWABLE_STATUSES:
        raise DomainError(_("Only a submitted application can be reviewed."))
    if any(r.reviewer_id == reviewer.id for r in application.reviews):
        raise Conflict(_("This officer is already assigned."), field="reviewer_id")
    review = Review(application=application, reviewer_id=reviewer.id, assigned_at=now, assigned_by_id=by.id,
                    comment="")
    session.add(review)
    application.status = ApplicationStatus.IN_REVIEW.value
    session.flush()
    audit.record(session, actor=by, action="review.assigned", obj=review,
                 changes={"application_id": application.id, "reviewer_id": reviewer.id}, now=now)
    return review


def declare_conflict(session: Session, review: Review, *, has_conflict: bool, reason: str, by: User,
                     now: datetime) -> Review:
    """Jäv first: a reviewer declares before scoring; a declared conflict blocks scoring for good."""
    if review.reviewer_id != by.id:
        raise PermissionDenied(_("Only the reviewer declares their own conflict of interest."))
    if review.has_conflict is not None:
        raise DomainError(_("The conflict of interest is already declared."))
    if has_conflict and not (reason or "").strip():
        raise DomainError(_("Describe the conflict of interest."), field="conflict_reason")
    review.has_conflict = has_conflict
    review.conflict_reason = (reason or "").strip() or None
    review.declared_at = now
    audit.record(session, actor=by, action="review.conflict_declared", obj=review,
                 changes={"has_conflict": has_conflict}, reason=review.conflict_reason, now=now)
    return review


def submit_review(session: Session, review: Review, *, scores: dict[int, tuple[int, str]], recommendation: str,
                  comment: str, by: User, now: datetime) -> Review:
    if review.reviewer_id != by.id:
        raise PermissionDenied(_("Only the assigned reviewer may score."))
    if review.has_conflict is None:
        raise DomainError(_("Declare conflict of interest before scoring."))
    if review.has_conflict:
        raise DomainError(_("You declared a conflict of interest and cannot score this application."))
    if review.submitted_at is not None:
        raise DomainError(_("The review is already submitted."))
    if review.application.status not in REVIEWABLE_STATUSES:
        raise DomainError(_("Only a submitted application can be reviewed."))
    criteria = review.application.programme.criteria
    for criterion in criteria:
        if criterion.id not in scores or scores[criterion.id][0] is None:
            raise DomainError(_("Score every criterion."), field=f"score_{criterion.id}")
        if not 0 <= scores[criterion.id][0] <= 5:
            raise DomainError(_("A score is from 0 to 5."), field=f"score_{criterion.id}")
    if recommendation not in RECOMMENDATIONS:
        raise DomainError(_("Choose a recommendation."), field="recommendation")
    review.scores = [ReviewScore(criterion_id=c.id, score=scores[c.id][0], comment=scores[c.id][1] or "")
                     for c in criteria]
    review.recommendation = recommendation
    review.comment = (comment or "").strip()
    review.submitted_at = now
    audit.record(session, actor=by, action="review.submitted", obj=review,
                 changes={"scores": {c.id: scores[c.id][0] for c in criteria}, "recommendation": recommendation},
                 now=now)
    return review


def weighted_score(application: Application) -> Decimal | None:
    """sum(score*weight)/sum(weight) over submitted reviews of reviewers without a conflict."""
    weights = {c.id: c.weight for c in application.programme.criteria}
    total, weight_sum = 0, 0
    for review in application.reviews:
        if review.has_conflict or review.submitted_at is None:
            continue
        for score in review.scores:
            weight = weights.get(score.criterion_id, 0)
            total += score.score * weight
            weight_sum += weight
    if not weight_sum:
        return None
    return (Decimal(total) / Decimal(weight_sum)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- follow-up plan

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
    committee_id = application.programme.committee_id
    if not by.has_role(Role.OFFICER, committee_id):
        raise PermissionDenied(_("Only officers of the committee may prepare the follow-up plan."))
    if application.status not in REVIEWABLE_STATUSES:
        raise DomainError(_("The follow-up plan can only be prepared before the decision."))
    if responsible_officer_id:
        officer = session.get(User, responsible_officer_id)
        if officer is None or not officer.has_role(Role.OFFICER, committee_id):
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


# ---------------------------------------------------------------- decisions

@dataclass
class TrancheInput:
    due_on: date
    amount: int
    condition: str = "none"  # or "milestone_approved"
    milestone_id: int | None = None


def decide(session: Session, application: Application, *, outcome: str, amount: int | None, reasons: str,
           conditions: str, tranches: list[TrancheInput] | None, expected_version: int, by: User, now: datetime,
           final_report_max_days: int = 60) -> Decision:
    """The only way a decision happens. Approval (full or partial) needs an eligible screening
    within its rule set's validity, a complete follow-up plan, an amount within the maximum per
    grant, the requested amount and the programme's remaining budget, and an organisation that is
    not barred (guidelines: no support without a plan for follow-up; no money to those who do not
    stand behind democracy). Optimistic locking: `expected_version` is the Application.version the
    decision maker saw."""
    if not by.has_role(Role.DECISION_MAKER, application.programme.committee_id):
        raise PermissionDenied(_("Only decision makers of the committee may decide."))
    if application.version != expected_version or application.decision is not None:
        raise Conflict(_("Someone else decided or changed this application first. Reload the page and check."))
    if application.status not in REVIEWABLE_STATUSES:
        raise DomainError(_("Only a submitted application can be decided."))
    if outcome not in RECOMMENDATIONS:
        raise DomainError(_("Choose a decision."), field="outcome")
    if not (reasons or "").strip():
        raise DomainError(_("Give the reasons for the decision."), field="reasons")
    screening = None
    locale = "sv"
    creator = session.get(User, application.created_by_id)
    if creator is not None and creator.locale == "en":
        locale = "en"
    if outcome == DecisionOutcome.REJECT.value:
        amount = 0
    else:
        if outcome == DecisionOutcome.APPROVE.value:
            amount = application.requested_amount
        if amount is None or amount <= 0:
            raise DomainError(_("Enter the amount granted."), field="amount")
        if application.organisation.is_barred:
            raise DomainError(_("The organisation is barred from all support."))
        screening = latest_valid_screening(session, application.id, now)
        if screening is None:
            raise DomainError(_("Approval needs an eligible screening within its validity. Run the screening "
                                "again."))
        problems = plan_problems(application.plan, application.period_end, final_report_max_days)
        if problems:
            raise DomainError(_("The follow-up plan is not complete: %(problems)s",
                                problems=" ".join(problems)), field="plan")
        if amount > application.programme.max_per_grant:
            raise DomainError(_("The amount is more than the programme's maximum per grant."), field="amount")
        if amount > application.requested_amount:
            raise DomainError(_("The amount is more than the applicant requested."), field="amount")
        if amount > remaining_budget(session, application.programme):
            from portal.formatting import format_money

            raise DomainError(_("The amount is more than the programme's remaining budget (%(left)s).",
                                left=format_money(remaining_budget(session, application.programme))),
                              field="amount")
        if outcome == DecisionOutcome.PARTLY_APPROVE.value and amount == application.requested_amount:
            outcome = DecisionOutcome.APPROVE.value
        tranches = tranches or [TrancheInput(due_on=max(now.date(), application.period_start or now.date()),
                                             amount=amount)]
        if sum(t.amount for t in tranches) != amount:
            raise DomainError(_("The tranches must add up exactly to the amount granted."), field="tranches")
        milestone_ids = {m.id for m in application.plan.milestones}
        for t in tranches:
            if t.amount <= 0:
                raise DomainError(_("Every tranche needs an amount above zero."), field="tranches")
            if t.condition == "milestone_approved" and t.milestone_id not in milestone_ids:
                raise DomainError(_("Choose the report the tranche waits for."), field="tranches")
            if t.condition not in ("none", "milestone_approved"):
                raise DomainError(_("Choose the tranche's condition."), field="tranches")
    decision = Decision(application_id=application.id, outcome=outcome, amount=amount,
                        conditions=(conditions or "").strip(), reasons=reasons.strip(),
                        appeal_info=APPEAL_INFO[locale], decided_by_id=by.id, decided_at=now,
                        screening_id=screening.id if screening else None, letter_locale=locale)
    application.status = ApplicationStatus.DECIDED.value
    application.updated_at = now
    session.add(decision)
    try:
        session.flush()  # the versioned UPDATE of the application and the unique decision row
    except (StaleDataError, IntegrityError):
        raise Conflict(_("Someone else decided or changed this application first. Reload the page and check."))
    audit.record(session, actor=by, action="decision.made", obj=decision,
                 changes={"application_id": application.id, "outcome": outcome, "amount": amount,
                          "screening_id": decision.screening_id}, reason=decision.reasons, now=now)
    grant = None
    if outcome != DecisionOutcome.REJECT.value:
        grant = Grant(application_id=application.id, decision_id=decision.id,
                      organisation_id=application.organisation_id, committee_id=application.programme.committee_id,
                      programme_id=application.programme_id, amount=amount, period_start=application.period_start,
                      period_end=application.period_end, status=GrantStatus.ACTIVE.value, created_at=now)
        grant.tranches = [Tranche(due_on=t.due_on, amount=t.amount, condition=t.condition,
                                  condition_milestone_id=t.milestone_id if t.condition != "none" else None)
                          for t in tranches]
        session.add(grant)
        session.flush()
        audit.record(session, actor=by, action="grant.created", obj=grant,
                     changes={"amount": amount, "tranches": [[t.due_on, t.amount, t.condition] for t in tranches]},
                     now=now)
    from grants.letters import decision_letter_pdf

    decision.letter_pdf = decision_letter_pdf(decision, application, grant)
    _mail_representatives(
        session, application, _("Decision on application %(ref)s", ref=application.reference),
        _("The committee has decided on your application %(ref)s. Log in to read the decision letter.",
          ref=application.reference), now)
    return decision


def add_attachment(session: Session, application: Application, *, stream, original_name: str, by: User,
                   now: datetime, upload_dir: str, max_bytes: int):
    """Store an upload as the organisation's document (kind "other") and link it to the draft."""
    from grants.models import ApplicationAttachment
    from organisations.documents import add_document

    _require_editable(application)
    document = add_document(session, organisation=application.organisation, stream=stream,
                            original_name=original_name, kind="other", uploaded_by=by, now=now,
                            upload_dir=upload_dir, max_bytes=max_bytes)
    session.flush()
    application.attachments.append(ApplicationAttachment(document_id=document.id))
    audit.record(session, actor=by, action="application.attachment_added", obj=application,
                 changes={"document_id": document.id, "name": document.original_name}, now=now)
    return document
