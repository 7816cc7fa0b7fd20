"""Application shell: the factory that every package plugs into.

Definitions the shell owns, used by every package (each lives once; see each package's own
docstring for its rules):

| rule | function | users |
|---|---|---|
| a setting and its environment variable | `portal.config.add_settings` (shell settings: `load_config`) | every package's `init_app` |
| a page's state change: one transaction, refusal beside its field | `portal.forms_util.apply_change`, `save_form`, `render_form` (422 for a refused form) | every view |
| the acting user | services take `by=` (None for the scheduler); `portal.audit.record(actor=...)` stores it | every service |
| an audit action's name | `<object>.<past tense>` (`tests/portal/test_audit_action_names.py`) | every service |
| a time or date shown to people | `portal.formatting.format_dt` / `format_d` (the city's time zone) | templates, e-mails |
| a logged-in session: a server-side row the cookie names; logout and a new password end it | `portal.auth.sessions` (`start_session`, `end_session`, `end_all_sessions`) | the auth views, `load_session_user` |
| what every answer carries: security headers, the client's address behind `TRUSTED_PROXIES`, `Allow` on a 405 | `portal.web_security` | `create_app`, the error handlers |
| a race on money or authority: a conditional update, or a lock on the row that owns the limit; the loser gets a Conflict (409) | `portal.concurrency.update_status_if`, `lock_row`, `race_conflict` | grants.payments, grants decisions, the page and API doors |
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.config import PROJECT_ROOT, check_production_safety, load_config
from portal import i18n, prepared, web_security
from portal.extensions import babel, csrf, db, login_manager, migrate
from portal.nav import NavItem, register_nav, visible_nav
from portal.numbers import install_url_converter


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH")
        or os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    check_production_safety(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    install_url_converter(app)  # before the blueprints add their <int:...> rules
    web_security.install(app)

    register_extensions(app)
    register_blueprints(app)
    register_domain_modules(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _translation_dirs(app: Flask) -> str:
    """Every package (and sub-package, e.g. monitoring/insight) keeps its own catalogue.

    Flask-Babel merges them into one, the later directory winning, so a msgid must have the same
    msgstr in every catalogue; where the meaning differs, use pgettext with a context.
    tests/portal/test_catalogue_agreement.py guards it."""
    dirs = []
    for name in ["portal", *app.config["DOMAIN_MODULES"]]:
        dirs += sorted(str(p) for p in (PROJECT_ROOT / name).glob("**/translations") if p.is_dir())
    return ";".join(dirs)


def select_locale() -> str:
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    prepared.install(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = _translation_dirs(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.install(app, babel)

    from portal import models  # noqa: F401  (register the tables)
    from portal import audit  # noqa: F401  (the append-only guard)

    @login_manager.user_loader
    def load_user(user_id: str):
        return load_session_user(user_id)


def load_session_user(token: str):
    """The user of the server-side session the cookie names (portal.auth.sessions), with their
    roles in the same query: every page asks for the roles. None if the session is over."""
    from flask import current_app

    from portal import clock
    from portal.auth.sessions import user_of_session

    # Wall-clock time, not clock.now(): a demo or test may pin the business date (FIXED_NOW), but
    # how long a login lasts is measured in real hours.
    return user_of_session(db.session, token, now=clock.utcnow(), max_hours=current_app.config["SESSION_MAX_HOURS"])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, foreign keys enforced, and a wait instead of 'locked'.

    SQLite's own lower() folds only A-Z, so a search for "örebro" would miss "Örebro": searches
    compare lower(column) LIKE lower(term) (SQLAlchemy's ilike), and Python's lower() gives them
    the same Unicode folding as PostgreSQL. No index is built on lower()."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.views import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    importlib.import_module("portal.api").init_app(app)
    register_nav(app, NavItem("main.home", _l("Start"), lambda u: True, order=0))
    register_nav(app, NavItem("admin.users", _l("Administration"), lambda u: u.is_admin, order=90))

    from portal.demo import register_seeder, seed_portal

    register_seeder(app, "portal", seed_portal)


def register_domain_modules(app: Flask) -> None:
    """Load each domain package named in DOMAIN_MODULES and let it register itself."""
    for name in app.config["DOMAIN_MODULES"]:
        module = importlib.import_module(name)
        init_app = getattr(module, "init_app", None)
        if init_app is not None:
            init_app(app)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        headers = web_security.allow_header(error) if code == 405 else {}
        if request.path.startswith("/api/"):
            from portal.api_errors import error_response

            body, code = error_response(code)
            return body, code, headers
        return render_template(f"errors/{code}.html"), code, headers

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, render_error)


def register_template_helpers(app: Flask) -> None:
    from portal import formatting

    app.jinja_env.filters["money"] = formatting.format_money
    app.jinja_env.filters["dt"] = formatting.format_dt
    app.jinja_env.filters["d"] = formatting.format_d

    @app.context_processor
    def layout_context():
        from flask_babel import get_locale

        return {
            "nav_items": visible_nav(app, current_user._get_current_object()),  # not the proxy: read often
            "current_locale": str(get_locale()),
            "public_links": app.extensions.get("public_links", []),
            "admin_links": app.extensions.get("admin_links", []),
        }


def register_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)
