"""The job registry, recorded job runs, and the one-scheduler-per-deployment lease.

Every job is a plain function `fn(session, now) -> dict` that is idempotent: running it twice for
the same `now`, or again after a crash, changes nothing more. That is what makes catching up at
start-up and `flask jobs run --now` safe.

Exactly one scheduler runs per deployment: the web workers never run jobs; a separate process
(`flask scheduler run`) does, and only while it holds the lease row in SchedulerLock. The lease is
taken and renewed with one conditional UPDATE, so two processes can never both hold it.
"""
from __future__ import annotations

import logging
import os
import socket
import traceback
import uuid
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitoring.models import JobRun, SchedulerLock
from portal import clock

log = logging.getLogger(__name__)

Job = Callable[[Session, datetime], dict]
LOCK_NAME = "scheduler"


def register_job(app: Flask, name: str, fn: Job) -> None:
    """Add a job to the app's registry; jobs run in the order they were registered."""
    jobs = app.extensions.setdefault("scheduled_jobs", {})
    jobs[name] = fn


def registered_jobs(app: Flask | None = None) -> dict[str, Job]:
    return (app or current_app).extensions.get("scheduled_jobs", {})


def run_job(session: Session, name: str, now: datetime, app: Flask | None = None) -> JobRun:
    """Run one job for `now` and record the run. The job's work is committed with the record of
    its success; on an exception the work is rolled back and the run is recorded as failed."""
    fn = registered_jobs(app)[name]
    run = JobRun(job=name, run_for=now, started_at=clock.utcnow())
    session.add(run)
    session.commit()
    run_id = run.id
    try:
        summary = fn(session, now) or {}
        run.summary = {k: v for k, v in summary.items()}
        run.ok = True
        run.finished_at = clock.utcnow()
        session.commit()
    except Exception:  # a failing job must not stop the others; the run says what went wrong
        session.rollback()
        log.exception("job %s failed", name)
        run = session.get(JobRun, run_id)
        run.ok = False
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = clock.utcnow()
        session.commit()
    return run


def run_all(session: Session, now: datetime, app: Flask | None = None) -> list[JobRun]:
    return [run_job(session, name, now, app) for name in list(registered_jobs(app))]


# --- the lease -------------------------------------------------------------------------------

def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(session: Session, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease. True if `holder` holds it until now + ttl.

    One conditional UPDATE: it succeeds only if the lease is ours already or has expired, so two
    processes racing for it cannot both win. The row is created the first time (a second
    process inserting at the same moment hits the primary key and loses)."""
    expires = now + ttl
    result = session.execute(
        update(SchedulerLock)
        .where(SchedulerLock.name == LOCK_NAME)
        .where(or_(SchedulerLock.holder == holder, SchedulerLock.expires_at < now))
        .values(holder=holder, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        session.commit()
        return True
    session.rollback()
    if session.get(SchedulerLock, LOCK_NAME) is not None:
        return False
    try:
        session.add(SchedulerLock(name=LOCK_NAME, holder=holder, expires_at=expires))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release_lease(session: Session, holder: str) -> None:
    session.execute(
        update(SchedulerLock).where(SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == holder)
        .values(expires_at=datetime(1970, 1, 1)).execution_options(synchronize_session=False))
    session.commit()


def tick(session: Session, holder: str, now: datetime, ttl: timedelta, app: Flask | None = None) -> list[JobRun]:
    """One beat of the scheduler process: run every job if (and only if) we hold the lease."""
    if not acquire_lease(session, holder, now, ttl):
        return []
    return run_all(session, now, app)


def run_scheduler(app: Flask) -> None:  # pragma: no cover - the long-running process itself
    """The `flask scheduler run` process: catch up at start, then tick every interval."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from portal.extensions import db

    interval = app.config["SCHEDULER_INTERVAL_SECONDS"]
    ttl = timedelta(seconds=interval * 3)
    holder = new_holder_id()

    def beat():
        with app.app_context():
            try:
                runs = tick(db.session, holder, clock.now(), ttl, app)
                if not runs:
                    log.info("another scheduler holds the lease; waiting")
            finally:
                db.session.remove()

    beat()  # catch up missed runs at start: every job once for now (idempotent)
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(beat, "interval", seconds=interval, max_instances=1, coalesce=True)
    try:
        scheduler.start()
    finally:
        with app.app_context():
            release_lease(db.session, holder)
            db.session.remove()
