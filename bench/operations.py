"""Timed operations: a registry of named, whole operations and how to time them.

Each operation has an optional untimed `setup(session, now)` that returns a state, and a timed
`run(session, now, state)`. Both run inside one transaction that is rolled back afterwards, so
the benchmark leaves the generated data as it found it (the timing covers the work and its
flush, not the final COMMIT). An operation whose service does not exist yet is registered
with `pending=` the reason, and is reported as not measured: never as a pass.

After merging, replace each pending entry with a real `run` calling the service, e.g.

    register(Operation("withdraw an organisation with 50 grants in 10 committees", target_s=1.0,
                       setup=make_org_with_50_grants, run=lambda s, now, org: withdraw(s, org, ...)))
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import select
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
    from eligibility.screening import current_rule_set, screen
    from organisations.models import Organisation

    rule_set = current_rule_set(session)
    n = 0
    for organisation in session.scalars(select(Organisation).order_by(Organisation.id)):
        screen(session, organisation=organisation, trigger="batch", by=None, now=now, rule_set=rule_set)
        n += 1
    return n


def _login_check(session: Session, now: datetime, state: Any) -> None:
    from bench.generate import BENCH_PASSWORD, BENCH_USERS
    from portal.auth.services import authenticate
    from portal.models import Role

    authenticate(session, email=BENCH_USERS[Role.OFFICER], password=BENCH_PASSWORD, ip="127.0.0.1", now=now,
                 limits=current_app.config)


register(Operation("log in (password check)", run=_login_check))
register(Operation("screen all organisations", target_s=10.0, run=_screen_all_organisations,
                   pending=_rules_not_registered))
register(Operation("withdraw an organisation with 50 grants in 10 committees", target_s=1.0,
                   pending="the withdrawal service (eligibility) is not merged yet"))
register(Operation("one day of scheduled jobs", target_s=10.0,
                   pending="the scheduled jobs (grants, monitoring) are not merged yet"))
register(Operation("decision letter PDF", target_s=1.0,
                   pending="the decision letter (grants) is not merged yet"))
register(Operation("annual report PDF", target_s=20.0,
                   pending="the annual report (monitoring) is not merged yet"))
