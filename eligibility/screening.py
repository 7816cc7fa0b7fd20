"""The screening engine: rules as data (a RuleSet lists rule ids and settings), rules as code
(a registry of functions). Each rule returns an outcome and the evidence it read, so every
screening can explain itself.

Other packages call `screen()`, `screen_many()` and `latest_valid_screening()`; they never
evaluate rules themselves.

Rules do not query the database: each names the facts it reads (`loads=`), and a fact loader
fetches one fact for a whole chunk of organisations in one query. `screen()` runs the loaders
for a chunk of one organisation, `screen_many()` for hundreds at a time: the same loaders and the
same rule functions, so both paths give the same outcomes and evidence."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import event, insert, select
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
    facts: dict = field(default_factory=dict)  # name -> this organisation's value, for the rule's `loads`


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
    loads: tuple[str, ...] = ()  # the fact loaders (FACT_LOADERS) whose values the rule reads in ctx.facts
    # A democracy rule (eligibility.rules): every published rule set includes it, with settings no
    # weaker than its defaults (eligibility.services.publish_rule_set).
    mandatory: bool = False

    def description(self, locale: str) -> str:
        return self.description_sv if locale.startswith("sv") else self.description_en


RULES: dict[str, Rule] = {}


def mandatory_rules() -> list[Rule]:
    """The democracy rules, in the order they were registered."""
    return [registered for registered in RULES.values() if registered.mandatory]


def rule(rule_id: str, requirement: str, needs_application: bool = False, *, description_sv: str = "",
         description_en: str = "", facts: tuple[str, ...] = (), default_params: dict | None = None,
         loads: tuple[str, ...] = (), mandatory: bool = False):
    """Register a rule function under an identifier a RuleSet can name; `mandatory` marks a
    democracy rule that no published rule set may leave out or weaken."""

    def decorator(check: Callable[[RuleContext], RuleVerdict]):
        RULES[rule_id] = Rule(rule_id, requirement, check, needs_application, description_sv, description_en,
                              tuple(facts), dict(default_params or {}), tuple(loads), mandatory)
        return check

    return decorator


# A fact loader reads one fact for many organisations at once:
# loader(session, organisation_ids, now) -> {organisation_id: value}, with a value for every id.
FactLoader = Callable[[Session, Sequence[int], datetime], dict[int, Any]]
FACT_LOADERS: dict[str, FactLoader] = {}


def fact_loader(name: str):
    """Register a fact loader under the name rules list in `loads=`."""

    def decorator(loader: FactLoader) -> FactLoader:
        FACT_LOADERS[name] = loader
        return loader

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


def _applicable_rules(rule_set: RuleSet, with_application: bool) -> list[tuple[int, Rule, dict]]:
    """(position in the rule set, rule, params) of the rules that run; application rules need one."""
    rules = []
    for position, entry in enumerate(rule_set.rules):
        registered = RULES[entry["id"]]
        if registered.needs_application and not with_application:
            continue
        rules.append((position, registered, {**registered.default_params, **entry.get("params", {})}))
    return rules


def _load_facts(session: Session, rules: list[tuple[int, Rule, dict]], organisation_ids: Sequence[int],
                now: datetime) -> dict[str, dict[int, Any]]:
    names = sorted({name for _position, registered, _params in rules for name in registered.loads})
    return {name: FACT_LOADERS[name](session, organisation_ids, now) for name in names}


def _evaluate(session: Session, organisation: Organisation, application: Any | None, rule_set: RuleSet,
              rules: list[tuple[int, Rule, dict]], facts: dict[str, dict[int, Any]], trigger: str,
              by: User | None, now: datetime) -> tuple[dict, list[dict]]:
    """The column values of the screening and of its results."""
    results = []
    for position, registered, params in rules:
        own_facts = {name: facts[name][organisation.id] for name in registered.loads}
        verdict = registered.check(RuleContext(session, organisation, application, params, now, own_facts))
        results.append({"position": position, "rule_id": registered.id, "requirement": registered.requirement,
                        "outcome": verdict.outcome.value, "evidence": audit._jsonable(verdict.evidence)})
    screening = {
        "organisation_id": organisation.id, "application_id": application.id if application is not None else None,
        "rule_set_id": rule_set.id, "trigger": trigger, "run_at": now, "run_by_id": by.id if by else None,
        "outcome": overall_outcome([r["outcome"] for r in results]).value,
    }
    return screening, results


def _record(session: Session, screening_id: int, screening: dict, rule_set: RuleSet, by: User | None,
            now: datetime) -> None:
    audit.record(session, actor=by, action="screening.performed", object_type=Screening.__tablename__,
                 object_id=screening_id,
                 changes={"organisation_id": screening["organisation_id"], "outcome": screening["outcome"],
                          "rule_set_version": rule_set.version, "trigger": screening["trigger"]}, now=now)


def screen(
    session: Session, *, organisation: Organisation, application: Any | None = None, trigger: str,
    by: User | None, now: datetime, rule_set: RuleSet | None = None,
) -> Screening:
    """Run the current rule set (or the one given) and store every rule's outcome and evidence."""
    rule_set = rule_set or current_rule_set(session)
    rules = _applicable_rules(rule_set, application is not None)
    facts = _load_facts(session, rules, [organisation.id], now)
    values, results = _evaluate(session, organisation, application, rule_set, rules, facts, trigger, by, now)
    screening = Screening(**values, results=[ScreeningResult(**result) for result in results])
    session.add(screening)
    session.flush()
    _record(session, screening.id, values, rule_set, by, now)
    return screening


SCREEN_MANY_CHUNK = 500
_RESULT_COLUMNS = ("screening_id", "position", "rule_id", "requirement", "outcome", "evidence")


def _insert_results(session: Session, rows: list[dict]) -> None:
    """Insert many rule results at once. PostgreSQL: COPY, which costs the server and the driver a
    fraction of one INSERT per row (psycopg's executemany) or of multi-row INSERTs (whose long
    statements psycopg parses slowly); other databases: executemany."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(ScreeningResult.__table__), rows)
        return
    driver_connection = session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {ScreeningResult.__tablename__} ({', '.join(_RESULT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c == "evidence" else row[c] for c in _RESULT_COLUMNS])


def screen_many(
    session: Session, organisations: Iterable[Organisation], *, trigger: str, by: User | None, now: datetime,
    rule_set: RuleSet | None = None, chunk_size: int = SCREEN_MANY_CHUNK,
) -> list[int]:
    """Screen many organisations (without an application) as `screen()` screens one, with the same
    rules, evidence and audit event, and return the new screenings' ids in the organisations' order.

    Each fact is loaded once per chunk of organisations, and a chunk's screenings and results are
    written in multi-row statements (Core, not ORM objects: SQLite would insert those one row at a
    time to learn their ids), so the number of statements grows with the chunks, not with the
    organisations. The audit events are added through audit.record() (as ORM objects, which SQLite
    inserts one by one)."""
    rule_set = rule_set or current_rule_set(session)
    rules = _applicable_rules(rule_set, with_application=False)
    screening_table = Screening.__table__
    screening_ids: list[int] = []
    chunk: dict[int, Organisation] = {}

    def run_chunk() -> None:
        facts = _load_facts(session, rules, list(chunk), now)
        evaluated = [_evaluate(session, o, None, rule_set, rules, facts, trigger, by, now) for o in chunk.values()]
        # RETURNING rows may come in any order; a chunk holds each organisation once, so its id says
        # which screening a row is.
        inserted = session.execute(insert(screening_table).returning(screening_table.c.id,
                                                                     screening_table.c.organisation_id),
                                   [values for values, _results in evaluated]).all()
        ids = {row.organisation_id: row.id for row in inserted}
        _insert_results(session, [{**result, "screening_id": ids[values["organisation_id"]]}
                                  for values, results in evaluated for result in results])
        for values, _results in evaluated:
            _record(session, ids[values["organisation_id"]], values, rule_set, by, now)
        session.flush()
        screening_ids.extend(ids[organisation_id] for organisation_id in chunk)
        chunk.clear()

    for organisation in organisations:
        if organisation.id in chunk or len(chunk) >= chunk_size:
            run_chunk()
        chunk[organisation.id] = organisation
    if chunk:
        run_chunk()
    return screening_ids


def latest_valid_screening(session: Session, application_id: int, now: datetime) -> Screening | None:
    """The newest screening of the application if it is eligible and younger than its rule set's
    validity; None otherwise. Approval of a grant requires one."""
    screening = session.scalar(select(Screening).where(Screening.application_id == application_id)
                               .order_by(Screening.run_at.desc(), Screening.id.desc()).limit(1))
    return screening if is_valid_for_approval(screening, now) else None


def is_valid_for_approval(screening: Screening | None, now: datetime) -> bool:
    """The rule behind latest_valid_screening(), for a page that has already loaded the
    application's newest screening: eligible, and younger than its rule set's validity."""
    if screening is None or not screening.is_eligible:
        return False
    return screening.run_at >= now - timedelta(days=screening.rule_set.validity_days)


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
