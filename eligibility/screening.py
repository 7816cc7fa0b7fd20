"""The screening engine: rules as data (a RuleSet lists rule ids and settings), rules as code
(a registry of functions). Each rule returns an outcome and the evidence it read, so every
screening can explain itself.

Other packages call `screen()` and `latest_valid_screening()`; they never evaluate rules
themselves."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import event, select
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
    description_sv: str = ""
    description_en: str = ""
    facts: tuple[str, ...] = ()  # the facts the rule reads, shown beside its evidence
    default_params: dict = field(default_factory=dict)

    def description(self, locale: str) -> str:
        return self.description_sv if locale.startswith("sv") else self.description_en


RULES: dict[str, Rule] = {}


def rule(rule_id: str, requirement: str, needs_application: bool = False, *, description_sv: str = "",
         description_en: str = "", facts: tuple[str, ...] = (), default_params: dict | None = None):
    """Register a rule function under an identifier a RuleSet can name."""

    def decorator(check: Callable[[RuleContext], RuleVerdict]):
        RULES[rule_id] = Rule(rule_id, requirement, check, needs_application, description_sv, description_en,
                              tuple(facts), dict(default_params or {}))
        return check

    return decorator


# Facts only a higher package knows (earlier grants' reports, applications) come through providers
# that the higher package registers: eligibility never imports grants.
FACT_PROVIDERS: dict[str, Callable[..., Any]] = {}


def register_fact_provider(name: str, provider: Callable[..., Any]) -> None:
    FACT_PROVIDERS[name] = provider


def fact_provider(name: str) -> Callable[..., Any] | None:
    return FACT_PROVIDERS.get(name)


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
        params = {**registered.default_params, **entry.get("params", {})}
        verdict = registered.check(RuleContext(session, organisation, application, params, now))
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


class RuleSetInUse(DomainError):
    pass


def rule_set_is_used(session: Session, rule_set_id: int) -> bool:
    return session.scalar(select(Screening.id).where(Screening.rule_set_id == rule_set_id).limit(1)) is not None


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_used_rule_sets(session: Session, flush_context, instances) -> None:
    """A rule set a screening has used is immutable: old screenings must keep explaining themselves."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, RuleSet) and obj.id is not None and (obj in session.deleted or session.is_modified(obj)):
            with session.no_autoflush:
                if rule_set_is_used(session, obj.id):
                    raise RuleSetInUse("This rule set version has been used by a screening and cannot change. "
                                       "Publish a new version instead.")
