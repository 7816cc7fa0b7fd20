"""organisations package: see shared/DESIGN.md. Registers itself through init_app().

| rule | function | users |
|---|---|---|
| who gets an organisation's mail | `organisations.mail.mail_recipients` | every e-mail to an organisation (grants, eligibility, monitoring) |
| who may answer a request to join | `organisations.mail.acting_representatives` | join requests |
| the democracy declaration is valid | `organisations.declarations.status_of` (SQL: `register.valid_declaration_clause`) | submission, the eligibility rule, the register, the API |
| who represents an organisation | `organisations.permissions.is_representative` | every permission of an applicant |
"""


def init_app(app):
    from portal.config import add_settings
    from flask_babel import lazy_gettext as _l

    from organisations import models  # noqa: F401  (register the tables)
    from organisations.demo import seed_organisations
    from organisations.views import bp
    from portal.demo import register_seeder
    from portal.nav import NavItem, register_nav

    add_settings(app, DECLARATION_VALID_MONTHS=12, INVITATION_VALID_DAYS=14)
    app.register_blueprint(bp)
    register_nav(app, NavItem("organisations.mine", _l("My organisations"),
                              lambda u: u.has_role(models_role("APPLICANT")), order=10))
    register_nav(app, NavItem("organisations.register_list", _l("Organisations"), lambda u: u.is_staff, order=20))
    app.extensions.setdefault("public_links", []).append(("organisations.signup", _l("Register your organisation")))
    app.extensions.setdefault("admin_links", []).append(("organisations.declaration_texts",
                                                         _l("Democracy declaration")))
    register_seeder(app, "organisations", seed_organisations)


def models_role(name: str):
    from portal.models import Role

    return Role[name]
