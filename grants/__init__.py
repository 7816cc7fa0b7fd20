"""grants package: see shared/DESIGN.md. Registers itself through init_app().

| rule | function | users |
|---|---|---|
| an open programme | `Programme.is_open_on` (ended: `has_ended_on`) | public list, API, start and submit an application; the closing job closes the ended ones |
| a programme covers a district | `Programme.covers_district` | public list, API (`services.open_programmes_query`) |
| an application awaits a decision | `services.awaits_decision` / `may_decide` | decide(), the application page |
| an overdue report | `grants.followup.report_overdue` | deadlines page and API, reminders, grant page, earlier-reports panel, dashboard, eligibility fact |
| a tranche may be released / paid / cancelled | `payments.release_refusal` / `payment_refusal` / `cancel_refusal` (`can_*` for pages) | the services, scheduler, finance API, grant page |
| a confirmed finding stops payments (and its lift resumes them) | `payment_stop.stop_payments` / `resume_payments` | eligibility's `finding_confirmed` / `finding_lifted` signals |
| a repayment claim may be confirmed / repaid / waived | `payments.claim_refusal` (`can_handle_claim`) | the services, grant page |
| a plan is complete | `services.plan_problems` / `outline_problems` | decide(), the plan and decision pages |
"""


def init_app(app):
    from portal.config import add_settings
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user  # noqa: F401

    from grants import models  # noqa: F401  (register the tables)
    from grants.demo import seed_grants
    from grants.labels import all_labels
    from grants.views import bp
    from portal.auth.permissions import staff_committee_ids
    from portal.demo import register_seeder
    from portal.models import Role
    from portal.nav import NavItem, register_nav

    # An approval needs the final report due no later than this many days after the grant period ends.
    add_settings(app, FINAL_REPORT_MAX_DAYS_AFTER_END=60)
    app.register_blueprint(bp)

    @app.context_processor
    def grants_labels():
        return all_labels()

    # Rules that pages show are asked of the rule's own function, never re-decided in a template.
    from grants import payments
    from grants.followup import is_overdue

    app.add_template_global(is_overdue, "milestone_is_overdue")
    for rule in (payments.can_release, payments.can_mark_paid, payments.can_cancel, payments.can_handle_claim,
                 payments.claim_visible_to):
        app.add_template_global(rule)

    def is_applicant(user):
        return user.has_role(Role.APPLICANT)

    def is_committee_staff(user):
        return bool(staff_committee_ids(user))

    register_nav(app, NavItem("grants.my_applications", _l("My applications"), is_applicant, order=20))
    register_nav(app, NavItem("grants.my_grants", _l("My grants"), is_applicant, order=21))
    register_nav(app, NavItem("grants.programmes", _l("Programmes"), is_committee_staff, order=30))
    register_nav(app, NavItem("grants.applications", _l("Applications"),
                              lambda u: is_committee_staff(u) or u.is_coordinator, order=31))
    register_nav(app, NavItem("grants.grants", _l("Grants"),
                              lambda u: is_committee_staff(u) or u.is_coordinator, order=32))
    app.extensions.setdefault("public_links", []).append(("grants.open_programmes", _l("Open programmes")))
    register_seeder(app, "grants", seed_grants)

    # Eligibility's facts and withdrawal signal (issue 5); its finding signals stop and resume payments (issue 15).
    from grants import eligibility_facts, payment_stop, withdrawal

    eligibility_facts.register(app)
    withdrawal.connect()
    payment_stop.connect()

    # Demo: one organisation under notice and one barred after withdrawal, once grants exist.
    from eligibility.demo import seed_withdrawal_examples

    register_seeder(app, "withdrawal examples", seed_withdrawal_examples)
