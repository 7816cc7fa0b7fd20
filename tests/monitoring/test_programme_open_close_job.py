"""The scheduler closes programmes whose closing date has passed, once, audited (issue 6, point 1)."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from grants.models import Programme, ProgrammeStatus
from monitoring import scheduler
from monitoring.models import JobRun
from portal.models import AuditEvent


def _programme(session, factory, now, *, opens, closes, status=ProgrammeStatus.PUBLISHED):
    programme = Programme(committee_id=factory.committee().id, title=f"Utlysning {opens}–{closes}",
                          action_area="general", budget=1_000_000_00, max_per_grant=100_000_00, opens_on=opens,
                          closes_on=closes, status=status.value, created_at=now)
    session.add(programme)
    session.commit()
    return programme


def _closed_events(session):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == "programme.closed")
                           .order_by(AuditEvent.id)).all()


def test_a_programme_closes_the_day_after_its_closing_date_once(session, factory, now):
    spring = _programme(session, factory, now, opens=date(2026, 3, 10), closes=date(2026, 4, 30))
    draft = _programme(session, factory, now, opens=date(2026, 1, 1), closes=date(2026, 2, 1),
                       status=ProgrammeStatus.DRAFT)
    # Before it opens, and on its opening day, it stays published; it is open by its dates alone.
    run = scheduler.run_job(session, "programme_open_close", datetime(2026, 3, 10, 6))
    assert run.ok and run.summary == {"closed": 0, "opening_today": 1}
    assert spring.is_open_on(date(2026, 3, 10))
    # On the closing day itself it is still open.
    scheduler.run_job(session, "programme_open_close", datetime(2026, 4, 30, 23, 59))
    session.expire_all()
    assert spring.status == "published"
    # The day after, it closes; running again (or later) changes nothing more.
    for day in (datetime(2026, 5, 1, 6), datetime(2026, 5, 1, 6), datetime(2026, 6, 1, 6)):
        scheduler.run_job(session, "programme_open_close", day)
    session.expire_all()
    assert spring.status == "closed" and draft.status == "draft"
    events = _closed_events(session)
    assert [(e.object_id, e.actor_id) for e in events] == [(str(spring.id), None)]
    runs = session.scalars(select(JobRun).where(JobRun.job == "programme_open_close").order_by(JobRun.id)).all()
    assert [r.summary["closed"] for r in runs] == [0, 0, 1, 0, 0]


def test_a_closed_programme_takes_no_more_applications(client, session, factory, now):
    programme = _programme(session, factory, now, opens=now.date() - timedelta(days=40),
                           closes=now.date() - timedelta(days=1))
    scheduler.run_job(session, "programme_open_close", now)
    session.expire_all()
    assert programme.status == "closed"
    assert programme.title not in client.get("/programmes").get_data(as_text=True)
    assert client.get(f"/programmes/{programme.id}").status_code == 404


def test_jobs_run_now_includes_programme_closing(runner, session, factory, now):
    programme = _programme(session, factory, now, opens=date(2026, 1, 1), closes=date(2026, 3, 31))
    assert "programme_open_close" in scheduler.registered_jobs()
    result = runner.invoke(args=["jobs", "run", "--now", "2026-04-01"])
    assert result.exit_code == 0, result.output
    assert "programme_open_close: ok {'closed': 1" in result.output
    result = runner.invoke(args=["jobs", "run", "--now", "2026-04-01"])
    assert "programme_open_close: ok {'closed': 0" in result.output
    session.expire_all()
    assert programme.status == "closed" and len(_closed_events(session)) == 1
