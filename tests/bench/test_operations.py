"""The timed-operation registry: runs what exists, leaves the data as it was, and reports what
cannot run yet as not measured (never as a pass)."""
from __future__ import annotations

from sqlalchemy import func, select

from bench.generate import DEFAULT_RULE_IDS
from bench.operations import OPERATIONS, Operation, time_operation
from eligibility import screening as engine
from eligibility.models import RuleOutcome, Screening
from monitoring.models import GranteeReport


def _screenings(session) -> int:
    return session.scalar(select(func.count()).select_from(Screening))


def test_screening_every_organisation_is_timed_and_rolled_back_once_rules_are_registered(
        app, generated, session, now, monkeypatch):
    generated(0.002)
    rules = dict(engine.RULES)
    for rule_id, requirement in DEFAULT_RULE_IDS:
        rules.setdefault(rule_id, engine.Rule(rule_id, requirement, lambda ctx: engine.RuleVerdict(RuleOutcome.PASS)))
    monkeypatch.setattr(engine, "RULES", rules)
    before = _screenings(session)

    timing = time_operation(app, OPERATIONS["screen all organisations"], now)

    assert timing.seconds is not None and timing.seconds > 0
    assert timing.target_s == 10.0 and timing.note == ""
    assert _screenings(session) == before  # rolled back: the benchmark leaves the data as it was


def test_screening_is_not_measured_while_the_rules_are_missing(app, generated, now, monkeypatch):
    generated(0.001)
    monkeypatch.setattr(engine, "RULES", {})
    timing = time_operation(app, OPERATIONS["screen all organisations"], now)
    assert timing.seconds is None and timing.met is None
    assert "rules not registered" in timing.note


def test_an_operation_waiting_for_its_service_is_reported_as_not_measured(app, now):
    timing = time_operation(app, OPERATIONS["decision letter PDF"], now)
    assert timing.seconds is None and timing.met is None
    assert timing.note.startswith("not measured:")


def test_an_operation_over_its_target_is_reported_as_missed(app, generated, now):
    generated(0.001)

    def count_reports(session, now, state):
        return session.scalar(select(func.count()).select_from(GranteeReport))

    timing = time_operation(app, Operation("count reports", target_s=0.0, run=count_reports), now)
    assert timing.seconds is not None and timing.met is False


def test_setup_is_not_part_of_the_timing_and_both_are_rolled_back(app, generated, session, now):
    generated(0.001)
    from organisations.models import Organisation

    seen = {}

    def setup(session, now):
        org = session.scalar(select(Organisation).limit(1))
        org.name = "Changed by the benchmark"
        return org.id

    def run(session, now, org_id):
        seen["name"] = session.get(Organisation, org_id).name
        return org_id

    time_operation(app, Operation("rename", run=run, setup=setup), now)
    assert seen["name"] == "Changed by the benchmark"
    assert session.scalar(select(func.count()).select_from(Organisation)
                          .where(Organisation.name == "Changed by the benchmark")) == 0
