"""monitoring package: see shared/DESIGN.md. Registers itself through init_app().

| rule | function | users |
|---|---|---|
| a report may be filled in | `reports.editing_refusal` (`may_edit`) | save_report, attachments, the report pages, the API |
| a report may be approved or returned | `reports.review_refusal` (`may_review`) | approve_report, return_report, the report page, the API |
| a report is handed in / overdue | kept on the milestone here; the rule is `grants.followup` | reports, reminders, dashboard |
"""


def init_app(app):
    from portal.config import add_settings
    from flask_babel import lazy_gettext as _l

    from monitoring import jobs, models  # noqa: F401  (register the tables)
    from monitoring.cli import jobs_cli, scheduler_cli
    from monitoring.demo import seed_monitoring
    from monitoring.scheduler import register_job
    from monitoring.views import application_panel, bp, earlier_reports_panel
    from portal.auth.permissions import staff_committee_ids
    from portal.demo import register_seeder
    from portal.models import Role
    from portal.nav import NavItem, register_nav

    add_settings(app, REMINDER_DAYS_BEFORE=14, DECLARATION_REMINDER_DAYS=30, SCHEDULER_INTERVAL_SECONDS=300)

    register_job(app, "report_reminders", jobs.report_reminders)
    register_job(app, "due_evaluations", jobs.due_evaluations)
    register_job(app, "declaration_reminders", jobs.declaration_reminders)
    register_job(app, "tranche_release", jobs.tranche_release)
    register_job(app, "programme_open_close", jobs.programme_open_close)
    # Last of ours, so the mail the jobs above queue goes out in the same run.
    register_job(app, "outbox_delivery", jobs.outbox_delivery)

    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_cli)

    register_nav(app, NavItem("monitoring.deadlines", _l("Deadlines"), lambda u: u.has_role(Role.APPLICANT), order=30))
    register_nav(app, NavItem("monitoring.reports", _l("Reports"), lambda u: bool(u.committee_ids(Role.OFFICER)),
                              order=40))
    register_nav(app, NavItem("monitoring.evaluations", _l("Evaluations"),
                              lambda u: bool(u.committee_ids(Role.OFFICER)), order=41))
    register_nav(app, NavItem("monitoring.experiences", _l("Experience bank"),
                              lambda u: bool(staff_committee_ids(u)) or u.is_coordinator, order=42))
    app.extensions.setdefault("admin_links", []).append(("monitoring.job_runs", _l("Scheduled jobs")))
    app.extensions.setdefault("application_panels", []).append(application_panel)
    app.extensions["application_panels"].append(earlier_reports_panel)
    register_seeder(app, "monitoring", seed_monitoring)

    # The insight sub-package (dashboard, annual report, open data) registers itself here, once,
    # when it is present: the shell only knows the top-level package.
    import importlib.util

    if importlib.util.find_spec("monitoring.insight") is not None:
        from monitoring import insight

        if hasattr(insight, "init_app"):
            insight.init_app(app)
