"""The schema is only ever changed by migrations: they must build exactly the models."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db


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
