"""Fixtures: app, client, db session, clock, login helper, factories.

The schema is built once per run by the Alembic migrations (never by create_all), then every
test gets a clean database: on SQLite a copy of the migrated file, on PostgreSQL the same
database with every table truncated.
"""
from __future__ import annotations

import contextvars
import os
import shutil
from datetime import datetime

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app, security
from portal.config import normalise_database_url
from portal.extensions import db

# Cheap hashing in tests: the argon2 parameters are not what is under test.
security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
USES_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql"))
FIXED_NOW = datetime(2026, 3, 2, 10, 0, 0)


def _base_config(tmp_path, url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "FIXED_NOW": FIXED_NOW,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run every migration once. Returns the URL (PostgreSQL) or a template file (SQLite)."""
    base = tmp_path_factory.mktemp("db")
    if USES_POSTGRES:
        url = normalise_database_url(DATABASE_URL)
        app = create_app(_base_config(base, url))
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade()
            db.engine.dispose()
        return url
    template = base / "template.db"
    app = create_app(_base_config(base, f"sqlite:///{template}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return template


def _fresh_database_url(migrated_database, tmp_path) -> str:
    if USES_POSTGRES:
        return migrated_database
    target = tmp_path / "test.db"
    shutil.copyfile(migrated_database, target)
    return f"sqlite:///{target}"


def _truncate_postgres(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production, even though the test itself
    holds an app context: no `g`, session or cached locale leaks between requests."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config():
    """Override in a test module to change settings for its app."""
    return {}


def app_on_fresh_database(migrated_database, tmp_path, app_config: dict):
    """An app on an empty copy of the migrated database, inside its app context; a generator, so
    fixtures of any scope use it (`yield from`)."""
    url = _fresh_database_url(migrated_database, tmp_path)
    config = _base_config(tmp_path, url)
    config.update(app_config)
    application = create_app(config)
    application.test_client_class = IsolatedClient
    if USES_POSTGRES:
        _truncate_postgres(application)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(migrated_database, tmp_path, app_config):
    yield from app_on_fresh_database(migrated_database, tmp_path, app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def now(app):
    return app.config["FIXED_NOW"]


@pytest.fixture
def factory(app):
    from tests.factories import Factory

    return Factory(db.session, app.config["FIXED_NOW"])


def login(client, email: str, password: str = "correct-horse-battery", follow_redirects: bool = False):
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=follow_redirects)


@pytest.fixture
def login_as(client, factory):
    """login_as(role, committee=None) creates a user with that role and logs the client in."""

    def _login_as(role, committee=None, **kwargs):
        user = factory.user(role=role, committee=committee, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, "login failed in the login_as helper"
        return user

    return _login_as


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def _count():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return _count


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every test must really run on both databases."""
    if not os.environ.get("CI") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) were skipped; failing the run.", red=True)
        session.exitstatus = 1
