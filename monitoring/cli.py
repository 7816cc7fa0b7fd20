"""`flask jobs run --now YYYY-MM-DD [--job NAME]` and `flask scheduler run`."""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from monitoring import scheduler
from portal import clock
from portal.extensions import db

jobs_cli = AppGroup("jobs", help="Scheduled jobs: run them for any date.")
scheduler_cli = AppGroup("scheduler", help="The one scheduler process of a deployment.")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return clock.now()
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(hour=6) if fmt == "%Y-%m-%d" else parsed
    raise click.BadParameter("use YYYY-MM-DD", param_hint="--now")


@jobs_cli.command("run")
@click.option("--now", "now_text", default=None, help="Run as on this date (YYYY-MM-DD, 06:00 UTC).")
@click.option("--job", "job_name", default=None, help="Run only this job.")
def jobs_run(now_text: str | None, job_name: str | None) -> None:
    """Run every job (or one) for the given date. Jobs are idempotent: running again changes nothing."""
    now = _parse_now(now_text)
    names = list(scheduler.registered_jobs())
    if job_name:
        if job_name not in names:
            raise click.ClickException(f"No job named {job_name!r}. Jobs: {', '.join(names)}")
        names = [job_name]
    failed = False
    for name in names:
        run = scheduler.run_job(db.session, name, now)
        if run.ok:
            click.echo(f"{name}: ok {run.summary}")
        else:
            failed = True
            click.echo(f"{name}: FAILED\n{run.error}", err=True)
    if failed:
        raise SystemExit(1)


@jobs_cli.command("list")
def jobs_list() -> None:
    for name in scheduler.registered_jobs():
        click.echo(name)


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the scheduler: catches up at start, then runs every job each SCHEDULER_INTERVAL_SECONDS
    while it holds the deployment's lease. Needs SCHEDULER_ENABLED=1."""
    if not current_app.config.get("SCHEDULER_ENABLED"):
        raise click.ClickException("SCHEDULER_ENABLED is off: set SCHEDULER_ENABLED=1 for the scheduler process.")
    scheduler.run_scheduler(current_app._get_current_object())
