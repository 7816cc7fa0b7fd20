"""The scheduled jobs, run with a moved clock, twice, and after a crash."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from monitoring import reports, scheduler
from monitoring.models import Evaluation, EvaluationStatus, JobRun, SchedulerLock
from portal.models import AuditEvent, OutboxMessage


def _mail(session, to=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        stmt = stmt.where(OutboxMessage.to_address == to)
    return session.scalars(stmt).all()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0)


def _submit_report(session, world, milestone, at: datetime):
    data = reports.ReportInput(activities="Träffar varje vecka", participants={"women": {"18-25": 4}},
                               indicators={i.id: {"value": "4", "women": "4", "men": "0", "other": "0"}
                                           for i in world.plan.indicators})
    return reports.save_report(session, world.grant, milestone, data, by=world.representative, now=at, submit=True)


def test_report_reminders_before_on_and_after_the_due_day_each_once(session, build):
    world = build.grant(milestones=[("interim", date(2026, 6, 30))])
    rep, officer = world.representative.email, world.officer.email

    scheduler.run_job(session, "report_reminders", _at(date(2026, 6, 1)))
    assert _mail(session) == []  # more than 14 days before

    for _ in range(2):
        scheduler.run_job(session, "report_reminders", _at(date(2026, 6, 16)))
    assert [m.subject for m in _mail(session, rep)] == ["Redovisning ska lämnas senast 2026-06-30: Samtalsgrupper för unga"]

    for _ in range(2):
        scheduler.run_job(session, "report_reminders", _at(date(2026, 6, 30)))
    assert len(_mail(session, rep)) == 2
    assert _mail(session, officer) == []  # the officer hears only about overdue reports

    for day in (date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 20)):
        scheduler.run_job(session, "report_reminders", _at(day))
    assert len(_mail(session, rep)) == 3
    assert len(_mail(session, officer)) == 1
    assert "försenad" in _mail(session, officer)[0].subject


def test_no_reminder_once_the_report_is_submitted(session, build):
    world = build.grant(milestones=[("final", date(2026, 6, 30))])
    milestone = world.plan.milestones[0]
    _submit_report(session, world, milestone, _at(date(2026, 6, 29)))
    session.commit()
    scheduler.run_job(session, "report_reminders", _at(date(2026, 7, 5)))
    assert [m for m in _mail(session) if (m.dedup_key or "").startswith("report-reminder")] == []


def test_a_returned_report_is_owed_again_and_reminded_as_overdue(session, build):
    world = build.grant(milestones=[("final", date(2026, 6, 30))])
    milestone = world.plan.milestones[0]
    report = _submit_report(session, world, milestone, _at(date(2026, 6, 29)))
    reports.return_report(session, report, "Ange antal deltagare.", by=world.officer, now=_at(date(2026, 7, 1)))
    session.commit()
    scheduler.run_job(session, "report_reminders", _at(date(2026, 7, 5)))
    assert any("försenad" in m.subject for m in _mail(session, world.representative.email))


def test_withdrawn_grants_get_no_reminders_and_no_evaluations(session, build):
    from grants.models import GrantStatus

    build.grant(status=GrantStatus.WITHDRAWN, milestones=[("final", date(2026, 6, 30))],
                evaluation_dates=[date(2026, 7, 1)])
    scheduler.run_job(session, "report_reminders", _at(date(2026, 7, 5)))
    scheduler.run_job(session, "due_evaluations", _at(date(2026, 7, 5)))
    assert _mail(session) == []
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 0


def test_an_evaluation_is_created_once_when_its_point_falls_due_and_the_officer_is_told(session, build):
    world = build.grant(evaluation_dates=[date(2027, 2, 28)])
    scheduler.run_job(session, "due_evaluations", _at(date(2027, 2, 27)))
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 0

    first = scheduler.run_job(session, "due_evaluations", _at(date(2027, 2, 28)))
    second = scheduler.run_job(session, "due_evaluations", _at(date(2027, 3, 1)))
    assert (first.summary, second.summary) == ({"created": 1}, {"created": 0})
    evaluation = session.scalar(select(Evaluation))
    assert evaluation.status == EvaluationStatus.DUE.value
    assert evaluation.committee_id == world.committee.id and evaluation.due_on == date(2027, 2, 28)
    assert len(_mail(session, world.officer.email)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "evaluation.created")) == 1


def test_a_crash_mid_job_leaves_a_failed_run_and_the_next_run_completes_exactly_once(app, session, build,
                                                                                    monkeypatch):
    world = build.grant(evaluation_dates=[date(2027, 2, 28)])
    from monitoring import evaluations

    real_queue = evaluations.outbox.queue

    def crash(*args, **kwargs):
        raise RuntimeError("mail queue unavailable")

    monkeypatch.setattr(evaluations.outbox, "queue", crash)
    failed = scheduler.run_job(session, "due_evaluations", _at(date(2027, 3, 1)))
    assert failed.ok is False and "mail queue unavailable" in failed.error
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 0  # nothing half-saved

    monkeypatch.setattr(evaluations.outbox, "queue", real_queue)
    for _ in range(2):
        assert scheduler.run_job(session, "due_evaluations", _at(date(2027, 3, 2))).ok
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 1
    assert len(_mail(session, world.officer.email)) == 1
    runs = session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [r.ok for r in runs] == [False, True, True]


def test_declaration_reminders_when_expiring_and_when_expired_each_once(session, build):
    org = build.organisation(signed=False)
    rep = build.representative(org)
    build.declaration(org, rep, signed_at=datetime(2025, 4, 1))  # expires 2026-04-01
    other = build.organisation(signed=False)
    other_rep = build.representative(other)
    build.declaration(other, other_rep, signed_at=datetime(2025, 1, 1))
    build.declaration(other, other_rep, signed_at=datetime(2026, 1, 1))  # renewed: nothing to say

    for _ in range(2):
        scheduler.run_job(session, "declaration_reminders", datetime(2026, 3, 2, 6))
    assert len(_mail(session, rep.email)) == 1
    assert "upphör snart" in _mail(session, rep.email)[0].subject
    for _ in range(2):
        scheduler.run_job(session, "declaration_reminders", datetime(2026, 4, 2, 6))
    assert len(_mail(session, rep.email)) == 2
    assert "har upphört" in _mail(session, rep.email)[1].subject
    assert _mail(session, other_rep.email) == []


class FakeTransport:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.to_address)


def test_outbox_delivery_sends_each_message_once(app, session, build, monkeypatch):
    from portal import outbox

    outbox.queue(session, to="a@example.org", subject="Hej", body="Text", now=build.now)
    session.commit()
    transport = FakeTransport()
    monkeypatch.setattr(outbox, "transport_from_config", lambda config: transport)
    for _ in range(2):
        scheduler.run_job(session, "outbox_delivery", build.now)
    assert transport.sent == ["a@example.org"]


def test_jobs_cli_runs_every_job_for_a_date_and_one_by_name(runner, session, build):
    world = build.grant(milestones=[("final", date(2026, 6, 30))], evaluation_dates=[date(2026, 7, 1)])
    result = runner.invoke(args=["jobs", "run", "--now", "2026-07-02"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 1
    assert {r.job for r in session.scalars(select(JobRun))} == set(scheduler.registered_jobs())
    before = len(_mail(session))
    result = runner.invoke(args=["jobs", "run", "--now", "2026-07-02", "--job", "report_reminders"])
    assert result.exit_code == 0, result.output
    assert len(_mail(session)) == before
    assert session.scalar(select(func.count()).select_from(JobRun)) == len(scheduler.registered_jobs()) + 1
    assert world.grant.id
    result = runner.invoke(args=["jobs", "run", "--job", "no_such_job"])
    assert result.exit_code != 0 and "No job named" in result.output


def test_only_one_of_two_schedulers_holds_the_lease(app, session):
    from sqlalchemy.orm import Session

    from portal.extensions import db

    now = datetime(2026, 3, 2, 10)
    ttl = timedelta(minutes=15)
    other = Session(db.engine)  # a second process: its own connection and transaction
    try:
        assert scheduler.acquire_lease(session, "host-a", now, ttl) is True
        assert scheduler.acquire_lease(other, "host-b", now, ttl) is False
        assert scheduler.acquire_lease(session, "host-a", now + timedelta(minutes=5), ttl) is True  # renewal
        assert scheduler.acquire_lease(other, "host-b", now + timedelta(minutes=10), ttl) is False
        # host-a stops renewing (crashed): once the lease expires, host-b takes over and host-a cannot.
        later = now + timedelta(minutes=21)
        assert scheduler.acquire_lease(other, "host-b", later, ttl) is True
        assert scheduler.acquire_lease(session, "host-a", later, ttl) is False
        session.expire_all()
        assert session.get(SchedulerLock, scheduler.LOCK_NAME).holder == "host-b"
    finally:
        other.close()


def test_a_scheduler_without_the_lease_runs_no_job(session, build):
    now = datetime(2027, 3, 1, 6)
    build.grant(evaluation_dates=[date(2027, 2, 28)])
    ttl = timedelta(minutes=15)
    assert len(scheduler.tick(session, "host-a", now, ttl)) == len(scheduler.registered_jobs())
    assert scheduler.tick(session, "host-b", now, ttl) == []
    assert session.scalar(select(func.count()).select_from(JobRun)) == len(scheduler.registered_jobs())


def test_scheduler_command_refuses_to_start_when_disabled(runner):
    result = runner.invoke(args=["scheduler", "run"])
    assert result.exit_code != 0 and "SCHEDULER_ENABLED" in result.output


def test_moving_the_clock_through_a_grants_life_gives_each_reminder_and_evaluation_exactly_once(runner, session,
                                                                                                build):
    world = build.grant(milestones=[("interim", date(2026, 6, 30)), ("final", date(2027, 1, 31))],
                        evaluation_dates=[date(2027, 2, 28)])
    days = ["2026-06-01", "2026-06-16", "2026-06-30", "2026-07-01", "2026-07-15", "2027-01-17", "2027-01-31",
            "2027-02-01", "2027-02-28", "2027-03-15"]
    for day in days + days:  # the whole life twice: nothing more happens the second time
        assert runner.invoke(args=["jobs", "run", "--now", day]).exit_code == 0
    # The organisation's declaration (signed a month ago) also falls due on the way: its reminders aside.
    to_rep = [m.dedup_key.split(":")[2] for m in _mail(session, world.representative.email)
              if m.dedup_key.startswith("report-reminder:")]
    assert to_rep == ["before", "due", "overdue", "before", "due", "overdue"]
    to_officer = _mail(session, world.officer.email)
    assert len(to_officer) == 3  # two overdue reports and one evaluation due
    assert session.scalar(select(func.count()).select_from(Evaluation)) == 1
