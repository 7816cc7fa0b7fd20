"""Decisions (beslut): the one way an application is approved, partly approved or rejected, and
the grant with its payment tranches that an approval creates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eligibility.models import Screening
from eligibility.money_gate import money_refusal
from eligibility.screening import latest_valid_screening
from grants.models import (Application, ApplicationStatus, Decision, DecisionOutcome, Grant, GrantStatus,
                           Programme, Tranche)
from grants.services.applications import mail_representatives
from grants.services.plans import plan_problems
from grants.services.programmes import remaining_budget
from grants.permissions import can_decide
from grants.services.reviews import RECOMMENDATIONS
from portal import audit
from portal.concurrency import lock_row
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import User

APPEAL_INFO = {
    "sv": ("Beslutet kan överklagas genom laglighetsprövning enligt 13 kap. kommunallagen (2017:725). "
           "Överklagandet ska ha kommit in till förvaltningsrätten inom tre veckor från den dag då det "
           "tillkännagavs på kommunens anslagstavla att protokollet över beslutet justerats."),
    "en": ("The decision can be appealed by a review of legality (laglighetsprövning) under chapter 13 of "
           "the Local Government Act (kommunallagen 2017:725). The appeal must reach the administrative "
           "court within three weeks of the day the minutes of the decision were posted on the municipality's "
           "notice board."),
}
TRANCHE_CONDITIONS = ("none", "milestone_approved")


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
    not barred and that money may move to at this moment, whatever the screening found
    (eligibility.money_gate) (guidelines: no support without a plan for follow-up; no money to
    those who do not stand behind democracy). Optimistic locking: `expected_version` is the Application.version the
    decision maker saw. Every check comes before the first write."""
    _check_decision_maker(application, by)
    _check_version(application, expected_version)
    _check_decidable(application, outcome, reasons)
    locale = _letter_locale(session, application)
    screening = None
    if outcome == DecisionOutcome.REJECT.value:
        amount = 0
    else:
        amount = _amount_granted(application, outcome, amount)
        _check_money_may_move(session, application, now)
        screening = _valid_screening(session, application, now)
        _check_plan_complete(application, final_report_max_days)
        _check_amount_limits(application, amount)
        _check_remaining_budget(session, application, amount)
        if outcome == DecisionOutcome.PARTLY_APPROVE.value and amount == application.requested_amount:
            outcome = DecisionOutcome.APPROVE.value  # all that was asked for is a full approval
        tranches = _checked_tranches(application, amount, tranches, now)
    decision = _write_decision(session, application, outcome=outcome, amount=amount, reasons=reasons,
                               conditions=conditions, locale=locale, screening=screening, by=by, now=now)
    grant = None
    if outcome != DecisionOutcome.REJECT.value:
        grant = _create_grant(session, application, decision, tranches, by=by, now=now)
    _attach_letter_and_mail(session, application, decision, grant, now)
    return decision


def _check_decision_maker(application: Application, by: User) -> None:
    """Only a decision maker of the programme's committee decides its applications."""
    if not can_decide(by, application):
        raise PermissionDenied(_("Only decision makers of the committee may decide."))


def _stale() -> Conflict:
    return Conflict(_("Someone else decided or changed this application first. Reload the page and check."))


def _check_version(application: Application, expected_version: int) -> None:
    """The decision maker decides on the application as they saw it, and only once."""
    if application.version != expected_version or application.decision is not None:
        raise _stale()


def awaits_decision(application: Application) -> bool:
    """An application awaits a decision while it is submitted or in review and not yet decided:
    the one rule behind decide() and the "Decide" link of the application page."""
    return application.is_under_review and application.decision is None


def may_decide(user: User, application: Application) -> bool:
    """The user may decide this application now (permissions.can_decide, and it awaits a decision)."""
    return can_decide(user, application) and awaits_decision(application)


def _check_decidable(application: Application, outcome: str, reasons: str) -> None:
    """Only a submitted application is decided, with a known outcome and written reasons."""
    if not awaits_decision(application):
        raise DomainError(_("Only a submitted application can be decided."))
    if outcome not in RECOMMENDATIONS:
        raise DomainError(_("Choose a decision."), field="outcome")
    if not (reasons or "").strip():
        raise DomainError(_("Give the reasons for the decision."), field="reasons")


def _letter_locale(session: Session, application: Application) -> str:
    """The decision letter is in English when the applicant who started the application reads English."""
    creator = session.get(User, application.created_by_id)
    return "en" if creator is not None and creator.locale == "en" else "sv"


def _amount_granted(application: Application, outcome: str, amount: int | None) -> int:
    """A full approval grants the requested amount; a partial one needs an amount above zero."""
    if outcome == DecisionOutcome.APPROVE.value:
        amount = application.requested_amount
    if amount is None or amount <= 0:
        raise DomainError(_("Enter the amount granted."), field="amount")
    return amount


def _check_money_may_move(session: Session, application: Application, now: datetime) -> None:
    """The facts at the moment of approval, whatever the screening found (eligibility.money_gate):
    not barred, not under notice, no confirmed finding standing, a democracy declaration valid now."""
    if (refusal := money_refusal(session, application.organisation, now)) is not None:
        raise refusal


def _valid_screening(session: Session, application: Application, now: datetime) -> Screening:
    """Approval needs the newest screening to be eligible and within its rule set's validity."""
    screening = latest_valid_screening(session, application.id, now)
    if screening is None:
        raise DomainError(_("Approval needs an eligible screening within its validity. Run the screening "
                            "again."))
    return screening


def _check_plan_complete(application: Application, final_report_max_days: int) -> None:
    """No support without a complete follow-up plan (plans.plan_problems)."""
    problems = plan_problems(application.plan, application.period_end, final_report_max_days)
    if problems:
        raise DomainError(_("The follow-up plan is not complete: %(problems)s",
                            problems=" ".join(problems)), field="plan")


def _check_amount_limits(application: Application, amount: int) -> None:
    """The amount is at most the programme's maximum per grant and at most what was requested."""
    if amount > application.programme.max_per_grant:
        raise DomainError(_("The amount is more than the programme's maximum per grant."), field="amount")
    if amount > application.requested_amount:
        raise DomainError(_("The amount is more than the applicant requested."), field="amount")


def _check_remaining_budget(session: Session, application: Application, amount: int) -> None:
    """The amount fits in what the programme's budget has left after its earlier grants. The
    programme row is locked first, so two approvals at once cannot both fit in the same money."""
    lock_row(session, Programme, application.programme_id)
    if amount > remaining_budget(session, application.programme):
        from portal.formatting import format_money

        raise DomainError(_("The amount is more than the programme's remaining budget (%(left)s).",
                            left=format_money(remaining_budget(session, application.programme))),
                          field="amount")


def _checked_tranches(application: Application, amount: int, tranches: list[TrancheInput] | None,
                      now: datetime) -> list[TrancheInput]:
    """The tranches (one on the period's start when none are given) add up exactly to the amount,
    each above zero, each waiting for nothing or for a report milestone of the plan."""
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
        if t.condition not in TRANCHE_CONDITIONS:
            raise DomainError(_("Choose the tranche's condition."), field="tranches")
    return tranches


def _write_decision(session: Session, application: Application, *, outcome: str, amount: int, reasons: str,
                    conditions: str, locale: str, screening: Screening | None, by: User,
                    now: datetime) -> Decision:
    """The decision row and the application's decided status are written together, audited; the
    database refuses a second decision or an application changed since it was read."""
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
        raise _stale()
    audit.record(session, actor=by, action="decision.made", obj=decision,
                 changes={"application_id": application.id, "outcome": outcome, "amount": amount,
                          "screening_id": decision.screening_id}, reason=decision.reasons, now=now)
    return decision


def _create_grant(session: Session, application: Application, decision: Decision, tranches: list[TrancheInput],
                  *, by: User, now: datetime) -> Grant:
    """An approval creates the active grant for the application's period with its tranches, audited."""
    grant = Grant(application_id=application.id, decision_id=decision.id,
                  organisation_id=application.organisation_id, committee_id=application.programme.committee_id,
                  programme_id=application.programme_id, amount=decision.amount,
                  period_start=application.period_start, period_end=application.period_end,
                  status=GrantStatus.ACTIVE.value, created_at=now)
    grant.tranches = [Tranche(due_on=t.due_on, amount=t.amount, condition=t.condition,
                              condition_milestone_id=t.milestone_id if t.condition != "none" else None)
                      for t in tranches]
    session.add(grant)
    session.flush()
    audit.record(session, actor=by, action="grant.created", obj=grant,
                 changes={"amount": decision.amount, "tranches": [[t.due_on, t.amount, t.condition] for t in tranches]},
                 now=now)
    return grant


def _attach_letter_and_mail(session: Session, application: Application, decision: Decision, grant: Grant | None,
                            now: datetime) -> None:
    """Every decision gets its letter (PDF) and the organisation's representatives are told by mail."""
    from grants.letters import decision_letter_pdf

    decision.letter_pdf = decision_letter_pdf(decision, application, grant)
    mail_representatives(
        session, application, _("Decision on application %(ref)s", ref=application.reference),
        _("The committee has decided on your application %(ref)s. Log in to read the decision letter.",
          ref=application.reference), now)
