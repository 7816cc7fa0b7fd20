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
    waiting = Operation("not there yet", target_s=1.0, pending="the service is not merged yet")
    timing = time_operation(app, waiting, now)
    assert timing.seconds is None and timing.met is None
    assert timing.note.startswith("not measured:")


def test_withdrawal_of_an_organisation_with_many_grants_is_timed_and_leaves_nothing_behind(
        app, generated, session, now):
    from eligibility.models import WithdrawalCase
    from grants.models import Grant, GrantStatus
    from organisations.models import Organisation

    generated(0.01)
    active = session.scalar(select(func.count()).select_from(Grant).where(Grant.status == GrantStatus.ACTIVE.value))
    barred = session.scalar(select(func.count()).select_from(Organisation).where(Organisation.status == "barred"))
    seen = {}
    operation = OPERATIONS["withdraw an organisation with 50 grants in 10 committees"]

    def run_and_look(session, now, state):
        operation.run(session, now, state)
        case = session.get(WithdrawalCase, state["case_id"])
        seen["status"] = case.status
        seen["organisation"] = case.organisation.status
        seen["active left"] = session.scalar(select(func.count()).select_from(Grant).where(
            Grant.organisation_id == case.organisation_id, Grant.status == GrantStatus.ACTIVE.value))
        seen["grants"], seen["committees"] = state["grants"], state["committees"]

    timing = time_operation(app, Operation(operation.name, operation.target_s, run_and_look, operation.setup), now)

    assert timing.seconds is not None and timing.target_s == 1.0
    assert seen["status"] == "withdrawn" and seen["organisation"] == "barred" and seen["active left"] == 0
    assert seen["committees"] == 2 and seen["grants"] > 5  # the whole small city (2 committees), 5 grants each
    # Rolled back: the benchmark leaves the data as it was.
    assert session.scalar(select(func.count()).select_from(Grant)
                          .where(Grant.status == GrantStatus.ACTIVE.value)) == active
    assert session.scalar(select(func.count()).select_from(Organisation)
                          .where(Organisation.status == "barred")) == barred


def test_a_day_of_jobs_the_decision_letter_and_the_annual_report_are_timed(app, generated, session, now):
    from monitoring.models import Evaluation

    generated(0.005)
    evaluations = session.scalar(select(func.count()).select_from(Evaluation))
    for name in ("one day of scheduled jobs", "decision letter PDF", "annual report PDF"):
        timing = time_operation(app, OPERATIONS[name], now)
        assert timing.seconds is not None and timing.note == "", name
        assert timing.met is not None, name
    assert session.scalar(select(func.count()).select_from(Evaluation)) == evaluations  # rolled back


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
