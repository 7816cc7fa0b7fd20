"""monitoring.insight: the coordinator's cross-committee dashboard, the annual follow-up report,
and the 360Giving open-data export. Registered from monitoring.init_app()."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.config import add_settings
from portal.nav import NavItem, register_nav


def init_app(app):
    from monitoring.insight import models  # noqa: F401  (register the tables)
    from monitoring.insight.jobs import generate_annual_report_job  # noqa: F401  (the scheduler's entry)
    from monitoring.insight.permissions import can_view_dashboard
    from monitoring.insight.views import bp, public_bp

    # INSIGHT_CACHE_SECONDS: how long a worker may keep the dashboard's figures for one data
    # version (monitoring.insight.cache).
    add_settings(app, OPEN_DATA_PREFIX="360G-stad-example-", ANNUAL_REPORT_LESSONS=10, INSIGHT_CACHE_SECONDS=300)
    from monitoring.insight.cache import FigureCache, listen

    app.extensions["insight_cache"] = FigureCache()
    listen()
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    register_nav(app, NavItem("insight.dashboard", _l("Outcomes"), can_view_dashboard, order=70))
    register_nav(app, NavItem("insight.annual_reports", _l("Annual report"), can_view_dashboard, order=71))
    app.extensions.setdefault("public_links", []).append(("open_data.index", _l("Open data on grants")))

    # The executive board's yearly report, made each January by the scheduler.
    from monitoring.insight.jobs import generate_annual_report_job
    from monitoring.scheduler import register_job

    register_job(app, "annual_report", generate_annual_report_job)
