"""Timed operations: a registry of named, whole operations and how to time them.

Each operation has an optional untimed `setup(session, now)` that returns a state, and a timed
`run(session, now, state)`. Both run inside one transaction that is rolled back afterwards, so
the benchmark leaves the generated data as it found it (the timing covers the work and its
flush, not the final COMMIT). An operation that cannot run is registered with `pending=` the
reason, and is reported as not measured: never as a pass.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.extensions import db


@dataclass(frozen=True)
class Operation:
    name: str
    target_s: float | None = None
    run: Callable[[Session, datetime, Any], Any] | None = None
    setup: Callable[[Session, datetime], Any] | None = None
    # Why it cannot run yet; a callable may decide at run time (e.g. rules not registered).
    pending: str | Callable[[Session], str | None] | None = None


@dataclass(frozen=True)
class Timing:
    name: str
    target_s: float | None
    seconds: float | None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.seconds is None or self.target_s is None:
            return None
        return self.seconds <= self.target_s


OPERATIONS: dict[str, Operation] = {}


def register(operation: Operation) -> None:
    OPERATIONS[operation.name] = operation


def _pending_reason(operation: Operation, session: Session) -> str | None:
    if operation.run is None and operation.pending is None:
        return "no run function"
    if callable(operation.pending):
        return operation.pending(session)
    return operation.pending


def time_operation(app: Flask, operation: Operation, now: datetime) -> Timing:
    with app.test_request_context():  # PDFs and url_for need a request context
        session = db.session
        try:
            reason = _pending_reason(operation, session)
            if reason:
                return Timing(operation.name, operation.target_s, None, f"not measured: {reason}")
            state = operation.setup(session, now) if operation.setup else None
            session.flush()
            started = time.perf_counter()
            operation.run(session, now, state)
            session.flush()
            seconds = time.perf_counter() - started
        finally:
            session.rollback()
            db.session.remove()
    return Timing(operation.name, operation.target_s, seconds)


def time_all(app: Flask, now: datetime, names: list[str] | None = None) -> list[Timing]:
    return [time_operation(app, OPERATIONS[name], now) for name in (names or list(OPERATIONS))]


# --- the operations ----------------------------------------------------------------------------

def _rules_not_registered(session: Session) -> str | None:
    from eligibility.screening import RULES, NoRuleSet, current_rule_set

    try:
        rule_set = current_rule_set(session)
    except NoRuleSet:
        return "no published rule set"
    missing = [entry["id"] for entry in rule_set.rules if entry["id"] not in RULES]
    if missing:
        return "rules not registered by the eligibility package yet: " + ", ".join(missing)
    return None


def _screen_all_organisations(session: Session, now: datetime, state: Any) -> int:
    from sqlalchemy.orm import lazyload

    from eligibility.screening import current_rule_set, screen_many
    from organisations.models import Organisation

    rule_set = current_rule_set(session)
    # Screening reads no district: do not load them for 5,000 organisations.
    organisations = session.scalars(select(Organisation).options(lazyload(Organisation.districts))
                                    .order_by(Organisation.id))
    return len(screen_many(session, organisations, trigger="batch", by=None, now=now, rule_set=rule_set))


def _login_check(session: Session, now: datetime, state: Any) -> None:
    from bench.generate import BENCH_PASSWORD, BENCH_USERS
    from portal.auth.services import authenticate
    from portal.models import Role

    authenticate(session, email=BENCH_USERS[Role.OFFICER], password=BENCH_PASSWORD, ip="127.0.0.1", now=now,
                 limits=current_app.config)


# Withdrawal: an organisation that holds 50 grants in 10 committees (setup, untimed: 5 grants of each
# of 10 committees, active ones first, are moved to one organisation, with their applications),
# a confirmed finding of violence and a case whose reply deadline has passed. Timed: the
# coordinator's decision, i.e. decide_case(withdraw=True) and everything the grants package does
# in the same transaction (grants ended, tranches cancelled, claims, committees told).
WITHDRAWAL_GRANTS, WITHDRAWAL_COMMITTEES = 50, 10


def _organisation_with_many_grants(session: Session, now: datetime) -> Any:
    from bench.generate import BENCH_USERS
    from eligibility.models import CaseStatus, FindingActor, FindingCategory, FindingSource, WithdrawalCase
    from eligibility.services import assess_finding, report_finding
    from grants.models import Application, Grant, GrantStatus
    from organisations.models import Organisation, OrganisationStatus
    from portal.models import Role, User

    has_case = select(WithdrawalCase.id).where(WithdrawalCase.organisation_id == Organisation.id).exists()
    organisation = session.scalar(select(Organisation).where(
        Organisation.status == OrganisationStatus.ACTIVE.value, ~has_case).order_by(Organisation.id).offset(3).limit(1))
    committees = session.scalars(select(Grant.committee_id).group_by(Grant.committee_id)
                                 .order_by(Grant.committee_id).limit(WITHDRAWAL_COMMITTEES)).all()
    per_committee = WITHDRAWAL_GRANTS // WITHDRAWAL_COMMITTEES
    grant_ids = []
    for committee_id in committees:
        grant_ids += session.scalars(select(Grant.id).where(Grant.committee_id == committee_id)
                                     .order_by(Grant.status != GrantStatus.ACTIVE.value, Grant.id)
                                     .limit(per_committee)).all()
    application_ids = session.scalars(select(Grant.application_id).where(Grant.id.in_(grant_ids))).all()
    session.execute(update(Grant).where(Grant.id.in_(grant_ids)).values(organisation_id=organisation.id,
                                                                         status=GrantStatus.ACTIVE.value))
    session.execute(update(Application).where(Application.id.in_(application_ids))
                    .values(organisation_id=organisation.id))
    session.expire_all()
    coordinator = session.scalar(select(User).where(User.email == BENCH_USERS[Role.COORDINATOR]))
    officer = session.scalar(select(User).where(User.email == BENCH_USERS[Role.OFFICER]))
    organisation = session.get(Organisation, organisation.id)
    finding = report_finding(session, organisation=organisation, conduct_on=(now - timedelta(days=40)).date(),
                             category=FindingCategory.VIOLENCE.value, actor_kind=FindingActor.ORGANISATION.value,
                             actor_name="", source_category=FindingSource.POLICE.value,
                             evidence="Benchmark: a confirmed call to violence.", by=officer,
                             reporting_committee_id=committees[0], now=now - timedelta(days=30))
    session.flush()
    case = assess_finding(session, finding, confirm=True, reason="Styrkt.", by=coordinator,
                          now=now - timedelta(days=25))
    assert case is not None and case.status == CaseStatus.OPEN.value and case.reply_deadline < now
    return {"case_id": case.id, "coordinator_id": coordinator.id, "grants": len(grant_ids),
            "committees": len(committees)}


def _withdraw(session: Session, now: datetime, state: Any) -> None:
    from eligibility.models import WithdrawalCase
    from eligibility.services import decide_case
    from portal.models import User

    case = session.get(WithdrawalCase, state["case_id"])
    decide_case(session, case, withdraw=True, reason="Benchmark: all support withdrawn.",
                by=session.get(User, state["coordinator_id"]), now=now)


# One day of scheduled jobs: every registered job run for `now`, as `flask jobs run --now` runs
# them, but in the operation's transaction (the job functions, not run_job, which commits).
# Setup (untimed) runs them once for the day before: the generated history has five years of
# evaluation points and tranches that no scheduler ever saw, and catching those up is not one day.
# (The annual report job owns its transaction and acts only in January; the default --now is not.)
def _jobs_for(session: Session, now: datetime) -> dict:
    from monitoring.scheduler import registered_jobs

    return {name: fn(session, now) for name, fn in registered_jobs(current_app).items()}


def _catch_up_yesterday(session: Session, now: datetime) -> None:
    _jobs_for(session, now - timedelta(days=1))


def _one_day_of_jobs(session: Session, now: datetime, state: Any) -> dict:
    return _jobs_for(session, now)


def _an_approval(session: Session, now: datetime) -> Any:
    from bench.pages import page_context
    from grants.models import Grant

    grant = session.get(Grant, page_context(session).grant_id)
    return grant.id


def _decision_letter(session: Session, now: datetime, grant_id: int) -> bytes:
    from grants.letters import decision_letter_pdf
    from grants.models import Grant

    grant = session.get(Grant, grant_id)
    pdf = decision_letter_pdf(grant.application.decision, grant.application, grant)
    assert pdf.startswith(b"%PDF")
    return pdf


def _annual_report(session: Session, now: datetime, state: Any) -> bytes:
    """The last whole year's report, as the January job makes it (rendered, not stored)."""
    from monitoring.insight.annual import render_annual_report

    pdf = render_annual_report(session, now.year - 1, now)
    assert pdf.startswith(b"%PDF")
    return pdf


register(Operation("log in (password check)", run=_login_check))
register(Operation("screen all organisations", target_s=10.0, run=_screen_all_organisations,
                   pending=_rules_not_registered))
register(Operation("withdraw an organisation with 50 grants in 10 committees", target_s=1.0,
                   setup=_organisation_with_many_grants, run=_withdraw))
register(Operation("one day of scheduled jobs", target_s=10.0, setup=_catch_up_yesterday, run=_one_day_of_jobs))
register(Operation("decision letter PDF", target_s=1.0, setup=_an_approval, run=_decision_letter))
register(Operation("annual report PDF", target_s=20.0, run=_annual_report))
