"""eligibility package: see shared/DESIGN.md. Registers itself through init_app().

| rule | function | users |
|---|---|---|
| the notice's reply period | `WithdrawalCase.takes_replies` / `reply_period_over` | reply_to_notice, decide_case, the notice and case pages, the API |
| a screening that allows approval | `eligibility.screening.is_valid_for_approval` (query: `latest_valid_screening`) | decide(), the application page, the staff API |
| money may move to an organisation now (not barred, not under notice, no confirmed finding standing, a valid declaration) | `eligibility.money_gate.money_refusal` (query: `money_may_move_clause`) | decide(), release and payment (`grants.payments`), the scheduler's release job, the grant page and API |
| a confirmed finding is lifted | `Finding.lifted_at`, set by `decide_case` (closed) and `reinstate` | the money gate, resuming stopped payments |
| the eligibility badge | `eligibility.services.status_from` | status badge, lists, the API |
| who screens an application, and sees and assesses its screening | `eligibility.permissions.can_screen_application` / `can_view_screening` / `can_resolve_screening` (its committee's staff and coordinators) | the screening pages, `grants.services.run_screening`, the staff page and API |
| who screens an organisation alone | `eligibility.permissions.can_screen_organisation` (officers of any committee, coordinators) | the organisation's eligibility page |
| an overdue report (a fact) | `grants.followup.report_overdue`, offered as the fact `overdue_reports` | the rule `reports_on_time` |
"""


def init_app(app):
    from portal.config import add_settings
    from flask_babel import lazy_gettext as _l

    from eligibility import models  # noqa: F401  (register the tables)
    from eligibility import rules  # noqa: F401  (register the default rules)
    from eligibility.cli import eligibility_cli
    from eligibility.demo import seed_eligibility
    from eligibility.views import bp
    from portal.demo import register_seeder
    from portal.nav import NavItem, register_nav

    add_settings(app, NOTICE_REPLY_DAYS=14)
    app.register_blueprint(bp)
    app.cli.add_command(eligibility_cli)
    register_nav(app, NavItem("eligibility.findings", _l("Findings"), lambda u: u.is_coordinator, order=60))
    register_nav(app, NavItem("eligibility.cases", _l("Withdrawal cases"), lambda u: u.is_coordinator, order=61))
    app.extensions.setdefault("admin_links", []).append(("eligibility.rule_sets", _l("Eligibility rule sets")))
    register_seeder(app, "eligibility", seed_eligibility)

    @app.template_global()
    def eligibility_status(organisation):
        """For templates/eligibility/_status_badge.html: the organisation's eligibility status."""
        from eligibility.services import eligibility_status as status
        from portal.extensions import db

        return status(db.session, organisation)

    @app.template_global()
    def eligibility_kinds(organisations):
        """For lists: {organisation id: badge kind}, in one query for the whole page."""
        from eligibility.services import eligibility_kinds as kinds
        from portal.extensions import db

        return kinds(db.session, organisations)

    @app.template_global()
    def may_open_screening(screening) -> bool:
        """For the status badge: a link to the screening only for those who may open it."""
        from flask_login import current_user

        from eligibility.services import openable_screening_ids
        from portal.extensions import db

        return screening.id in openable_screening_ids(db.session, current_user, [screening])

    @app.context_processor
    def eligibility_status_labels():
        from eligibility.explain import STATUS_LABELS

        return {"eligibility_status_labels": STATUS_LABELS}
