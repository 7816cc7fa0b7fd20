"""A request that loses a race to another transaction answers 409, never 500 (issue 14, point 1):
a lock held by another connection for longer than the request may wait (SQLite's busy timeout,
PostgreSQL's lock_timeout set by portal.concurrency) is a conflict for the caller to retry, and
nothing of the request is kept."""
from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from grants import api_applicant
from grants.models import Tranche
from portal import concurrency
from portal.extensions import db
from portal.models import AuditEvent
from tests.api.applicant_world import me  # noqa: F401
from tests.api.conftest import bearer

SHORT_WAIT_MS = 300


@contextlib.contextmanager
def tranche_locked_by_another_connection(tranche_id: int, monkeypatch):
    """Another transaction holds the lock a write to the tranche needs (the whole database on
    SQLite, the tranche's row on PostgreSQL) until the block ends; the app waits only briefly."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        def short_busy_timeout(dbapi_connection, connection_record, connection_proxy):
            dbapi_connection.execute(f"PRAGMA busy_timeout={SHORT_WAIT_MS}")

        event.listen(engine, "checkout", short_busy_timeout)
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            event.remove(engine, "checkout", short_busy_timeout)
        return
    monkeypatch.setattr(concurrency, "LOCK_WAIT_MS", SHORT_WAIT_MS)
    with engine.connect() as holder, holder.begin() as transaction:
        holder.execute(text("SELECT id FROM tranche WHERE id = :id FOR UPDATE"), {"id": tranche_id})
        yield
        transaction.rollback()


def test_a_request_that_waited_too_long_for_a_lock_answers_409_and_writes_nothing(client, staff, session,
                                                                                  monkeypatch):
    tranche_id = staff.grant().tranches[0].id
    session.commit()
    url, token = f"/api/v1/tranches/{tranche_id}/paid", bearer(staff.officer_token)

    with tranche_locked_by_another_connection(tranche_id, monkeypatch):
        response = client.post(url, json={}, headers=token)

    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "conflict" and error["fields"] == {} and "Ladda om" in error["message"]
    session.expire_all()
    assert session.get(Tranche, tranche_id).status == "released"
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "tranche.paid")) is None
    # Once the other transaction has ended, the same request goes through.
    assert client.post(url, json={}, headers=token).status_code == 200


def test_any_other_database_fault_is_not_hidden_as_a_conflict(client, me, monkeypatch):
    application = me.filled()

    def broken(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(api_applicant.services, "withdraw_application", broken)
    with pytest.raises(OperationalError):
        client.post(f"/api/v1/applications/{application.id}/withdraw", headers=me.headers)
