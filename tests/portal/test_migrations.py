"""The schema is only ever changed by migrations: they must build exactly the models."""
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, exc, inspect, text

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db
from tests.conftest import DATABASE_URL, USES_POSTGRES
from tests.portal.test_audit_action_names import renamed_by_migration


def test_models_and_migrations_agree(app):
    # Runs on whichever database the suite uses (CI runs it on SQLite and PostgreSQL).
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_db_upgrade_builds_a_working_database_from_nothing(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.db"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"user_account", "committee", "role_grant", "audit_event", "outbox_message"} <= tables
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


@contextmanager
def database_at(revision: str, tmp_path):
    """A database of its own, migrated to `revision`: a new SQLite file, or on PostgreSQL a new schema
    in the test database (the suite's own schema stays at the newest revision)."""
    schema = "migration_under_test"
    if USES_POSTGRES:
        url = normalise_database_url(DATABASE_URL)
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path}/migrated.db"
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            try:
                upgrade(revision=revision)
                yield
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        if USES_POSTGRES:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


def _stored_actions() -> list[str]:
    with db.engine.connect() as conn:
        return sorted(conn.scalars(text("SELECT action FROM audit_event")))


def _audit_triggers() -> list[str]:
    """The append-only triggers' definitions, as the database reports them."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return list(conn.scalars(text(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass('audit_event') "
                "AND NOT tgisinternal ORDER BY tgname")))
        return list(conn.scalars(text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event' ORDER BY name")))


def _assert_append_only() -> None:
    for statement in ("UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"):
        with db.engine.connect() as conn:
            with pytest.raises(exc.DBAPIError):
                conn.execute(text(statement))
            conn.rollback()


def test_stored_action_names_are_renamed_to_the_past_tense_and_the_log_stays_append_only(tmp_path):
    renamed = renamed_by_migration()
    with database_at("0012_perflists", tmp_path):
        with db.engine.begin() as conn:
            for action in [*renamed, "decision.made", "tranche.cancelled"]:
                conn.execute(text("INSERT INTO audit_event (at, action, object_type, object_id) "
                                  "VALUES (:at, :action, 'thing', '1')"),
                             {"at": datetime(2026, 1, 5), "action": action})
        triggers = _audit_triggers()
        assert len(triggers) in (1, 2)  # PostgreSQL: one for UPDATE or DELETE; SQLite: one each

        upgrade(revision="0013_naming")
        actions = _stored_actions()
        assert {"rule_set.published", "screening.performed", "withdrawal_case.support_withdrawn",
                "organisation.status_changed", "grant.withdrawn"} <= set(actions)
        assert not set(renamed) & set(actions)
        assert actions.count("tranche.cancelled") == 2  # the withdrawal's old name and the page's, merged
        assert "decision.made" in actions and len(actions) == len(renamed) + 2
        assert _audit_triggers() == triggers
        _assert_append_only()

        downgrade(revision="0012_perflists")
        actions = _stored_actions()
        assert {"rule_set.publish", "screening.run", "withdrawal.grants", "organisation.status"} <= set(actions)
        assert actions.count("tranche.cancelled") == 2  # merged names stay merged: both spellings were valid
        assert _audit_triggers() == triggers
        _assert_append_only()


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_every_migration_file_is_named_after_its_own_revision_id():
    # migrations/README: a database stores the revision id, so a file is renamed to fit its id, never the reverse.
    scripts = list(ScriptDirectory(str(MIGRATIONS)).walk_revisions())
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert len(scripts) == len(files) > 0  # every file is a revision Alembic reads
    misnamed = [(Path(s.path).name, s.revision) for s in scripts if not Path(s.path).name.startswith(s.revision + "_")]
    assert misnamed == []


def test_migrations_form_one_line_from_one_base_to_one_head():
    directory = ScriptDirectory(str(MIGRATIONS))
    scripts = {s.revision: s for s in directory.walk_revisions()}
    assert len(directory.get_bases()) == 1 and len(directory.get_heads()) == 1
    children: dict[str, list[str]] = {}
    for script in scripts.values():
        assert script.down_revision is None or isinstance(script.down_revision, str), script.revision  # no merge
        assert script.down_revision is None or script.down_revision in scripts, script.revision
        children.setdefault(script.down_revision, []).append(script.revision)
    assert {parent: kids for parent, kids in children.items() if len(kids) > 1} == {}  # no branch
    # Walking down from the head passes every revision once.
    revision, chain = directory.get_current_head(), []
    while revision is not None:
        chain.append(revision)
        revision = scripts[revision].down_revision
    assert sorted(chain) == sorted(scripts)
