"""Helpers for the benchmark's tests: generated history at tiny sizes, and a second, empty
database for comparing two data sizes."""
from __future__ import annotations

import pytest

from bench.generate import Sizes, generate
from portal import create_app
from portal.extensions import db
from tests.conftest import USES_POSTGRES, IsolatedClient, _base_config, _fresh_database_url, _truncate_postgres

@pytest.fixture
def generated(app, now):
    """generated(scale, **overrides) fills the test database and returns the row counts."""

    def _generate(scale: float, **overrides) -> dict:
        from portal.security import hash_password

        sizes = Sizes.at_scale(scale, **overrides)
        return generate(db.session, sizes, seed=7, now=now, password_hash=hash_password("x" * 12))

    return _generate


@pytest.fixture
def fresh_app(migrated_database, tmp_path_factory):
    """fresh_app() -> a new app over an empty migrated database (on PostgreSQL: the same database,
    emptied, so take what you need from the first app before calling it)."""
    made = []

    def _fresh_app():
        tmp_path = tmp_path_factory.mktemp("second")
        application = create_app(_base_config(tmp_path, _fresh_database_url(migrated_database, tmp_path)))
        application.test_client_class = IsolatedClient
        if USES_POSTGRES:
            db.session.remove()  # the first app's open transaction would block the TRUNCATE
            _truncate_postgres(application)
        made.append(application)
        return application

    yield _fresh_app
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
