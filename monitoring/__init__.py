"""monitoring package: see shared/DESIGN.md. Registers itself through init_app()."""
import os


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from monitoring import jobs, models  # noqa: F401  (register the tables)
    from monitoring.cli import jobs_cli, scheduler_cli
    from monitoring.scheduler import register_job

    app.config.setdefault("REMINDER_DAYS_BEFORE", int(os.environ.get("REMINDER_DAYS_BEFORE", 14)))
    app.config.setdefault("DECLARATION_REMINDER_DAYS", int(os.environ.get("DECLARATION_REMINDER_DAYS", 30)))
    app.config.setdefault("SCHEDULER_INTERVAL_SECONDS", int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", 300)))

    register_job(app, "report_reminders", jobs.report_reminders)
    register_job(app, "due_evaluations", jobs.due_evaluations)
    register_job(app, "declaration_reminders", jobs.declaration_reminders)
    # Last, so that mail queued by the other jobs in this run goes out at once.
    register_job(app, "outbox_delivery", jobs.outbox_delivery)

    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_cli)
