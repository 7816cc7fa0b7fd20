"""The screening engine: rules as data (a RuleSet lists rule ids and settings), rules as code
(a registry of functions). Each rule returns an outcome and the evidence it read, so every
screening can explain itself.

Other packages call `screen()` and `latest_valid_screening()`; they never evaluate rules
themselves."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligibility.models import RuleOutcome, RuleSet, Screening, ScreeningOutcome, ScreeningResult
from organisations.models import Organisation
from portal import audit
from portal.errors import DomainError
from portal.models import User


@dataclass(frozen=True)
class RuleContext:
    session: Session
    organisation: Organisation
    application: Any | None  # a grants Application, read through its attributes only
    params: dict
    now: datetime


@dataclass(frozen=True)
class RuleVerdict:
    outcome: RuleOutcome
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    requirement: str  # democracy_rule_of_law, human_rights, gender_equality, no_violence, formal
    check: Callable[[RuleContext], RuleVerdict]
    needs_application: bool = False


RULES: dict[str, Rule] = {}


def rule(rule_id: str, requirement: str, needs_application: bool = False):
    """Register a rule function under an identifier a RuleSet can name."""

    def decorator(check: Callable[[RuleContext], RuleVerdict]):
        RULES[rule_id] = Rule(rule_id, requirement, check, needs_application)
        return check

    return decorator


class NoRuleSet(DomainError):
    pass


def current_rule_set(session: Session) -> RuleSet:
    rule_set = session.scalar(select(RuleSet).where(RuleSet.published_at.is_not(None))
                              .order_by(RuleSet.version.desc()).limit(1))
    if rule_set is None:
        raise NoRuleSet("No rule set is published.")
    return rule_set


def overall_outcome(outcomes: list[str]) -> ScreeningOutcome:
    if RuleOutcome.FAIL.value in outcomes:
        return ScreeningOutcome.INELIGIBLE
    if RuleOutcome.NEEDS_ASSESSMENT.value in outcomes:
        return ScreeningOutcome.NEEDS_ASSESSMENT
    return ScreeningOutcome.ELIGIBLE


def screen(
    session: Session, *, organisation: Organisation, application: Any | None = None, trigger: str,
    by: User | None, now: datetime, rule_set: RuleSet | None = None,
) -> Screening:
    """Run the current rule set (or the one given) and store every rule's outcome and evidence."""
    rule_set = rule_set or current_rule_set(session)
    screening = Screening(
        organisation_id=organisation.id, application_id=application.id if application is not None else None,
        rule_set_id=rule_set.id, trigger=trigger, run_at=now, run_by_id=by.id if by else None, outcome="",
    )
    for position, entry in enumerate(rule_set.rules):
        registered = RULES[entry["id"]]
        if registered.needs_application and application is None:
            continue
        verdict = registered.check(RuleContext(session, organisation, application, entry.get("params", {}), now))
        screening.results.append(ScreeningResult(
            position=position, rule_id=registered.id, requirement=registered.requirement,
            outcome=verdict.outcome.value, evidence=audit._jsonable(verdict.evidence),
        ))
    screening.outcome = overall_outcome([r.outcome for r in screening.results]).value
    session.add(screening)
    session.flush()
    audit.record(session, actor=by, action="screening.run", obj=screening,
                 changes={"organisation_id": organisation.id, "outcome": screening.outcome,
                          "rule_set_version": rule_set.version, "trigger": trigger}, now=now)
    return screening


def latest_valid_screening(session: Session, application_id: int, now: datetime) -> Screening | None:
    """The newest screening of the application if it is eligible and younger than its rule set's
    validity; None otherwise. Approval of a grant requires one."""
    screening = session.scalar(select(Screening).where(Screening.application_id == application_id)
                               .order_by(Screening.run_at.desc(), Screening.id.desc()).limit(1))
    if screening is None or not screening.is_eligible:
        return None
    if screening.run_at < now - timedelta(days=screening.rule_set.validity_days):
        return None
    return screening
