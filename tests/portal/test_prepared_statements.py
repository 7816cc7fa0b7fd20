"""A request that only read ends its transaction with COMMIT (so PostgreSQL keeps the prepared
statements, portal/prepared.py); one that wrote and did not commit still leaves nothing behind."""
import logging

from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Committee
from tests.conftest import USES_POSTGRES

LOGGER = "portal.prepared"
ENDED_WITH_COMMIT = "a transaction that only read ended with COMMIT"


def _routes(app, now):
    @app.get("/_test/read")
    def read_only():
        return str(db.session.scalar(select(func.count()).select_from(Committee)))

    @app.get("/_test/flush-then-stop")
    def flush_then_stop():
        db.session.add(Committee(name="Flushed, never committed", kind="district", created_at=now))
        db.session.flush()  # written to the transaction, then the view ends without a commit
        return "stopped"

    @app.get("/_test/add-then-stop")
    def add_then_stop():
        db.session.add(Committee(name="Added, never flushed", kind="district", created_at=now))
        db.session.scalar(select(func.count()).select_from(Committee))  # autoflush writes it
        return "stopped"

    @app.get("/_test/change-without-flush")
    def change_without_flush():
        committee = db.session.scalar(select(Committee).where(Committee.name == "Kept"))
        committee.name = "Renamed, never flushed"
        return "stopped"


def test_a_read_only_request_commits_and_keeps_prepared_statements(app, client, now, caplog):
    _routes(app, now)
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    for _ in range(6):  # psycopg prepares a statement on its fifth run
        assert client.get("/_test/read").status_code == 200
    assert [r.message for r in caplog.records if r.name == LOGGER].count(ENDED_WITH_COMMIT) == 6
    if USES_POSTGRES:
        with app.app_context():
            assert db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) >= 1


def test_requests_that_wrote_without_committing_leave_nothing_behind(app, client, now, caplog):
    _routes(app, now)
    with app.app_context():
        db.session.add(Committee(name="Kept", kind="district", created_at=now))
        db.session.commit()
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    for path in ("/_test/flush-then-stop", "/_test/add-then-stop", "/_test/change-without-flush"):
        assert client.get(path).status_code == 200
    with app.app_context():
        names = set(db.session.scalars(select(Committee.name)))
    assert "Kept" in names
    assert not names & {"Flushed, never committed", "Added, never flushed", "Renamed, never flushed"}
    # The two that wrote rolled back; the one whose change was never flushed only read.
    assert [r.message for r in caplog.records if r.name == LOGGER].count(ENDED_WITH_COMMIT) == 1
