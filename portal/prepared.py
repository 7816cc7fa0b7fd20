"""Keep PostgreSQL's prepared statements across requests.

psycopg prepares a statement on its fifth run, so that PostgreSQL parses and plans it once per
connection. But psycopg forgets every prepared statement on ROLLBACK, and each request ends its
transaction with a rollback (the session closes), so no statement ever reached its fifth run:
PostgreSQL planned every query of every page anew, several milliseconds for a page's joins.

A transaction that wrote nothing is therefore ended with COMMIT instead: with no write there is
nothing to keep or to undo, so the two are the same to the data. Any statement other than a
SELECT marks the transaction as writing, and such a transaction ends with the rollback as before,
as does every request that raised. Unflushed ORM changes are never flushed here: they are
dropped, as before. (SQLite keeps its statement cache through rollbacks; the commit of a
transaction that read only is harmless there, so both databases take the same path.)
"""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event

from portal.extensions import db

log = logging.getLogger(__name__)
_WROTE = "transaction_wrote"


def install(app: Flask) -> None:
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _forget)
        event.listen(engine, "rollback", _forget)
    # At the end of each request, before Flask-SQLAlchemy's teardown of the app context closes
    # the session and so rolls the transaction back.
    app.teardown_request(_commit_if_nothing_written)


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if executemany or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


def _forget(conn) -> None:
    conn.info.pop(_WROTE, None)


def _commit_if_nothing_written(exc) -> None:
    if exc is not None or not db.session.registry.has():
        return  # a failed request rolls back; a context without a session has nothing to end
    transaction = db.session().get_transaction()
    if transaction is None or not transaction.is_active:
        return
    connection = db.session().connection()  # the transaction's own: the application has one database
    if connection.info.get(_WROTE) or not connection.in_transaction():
        return
    # Straight to the driver, so the session is not asked to flush anything. Its rollback, which
    # follows, finds no transaction open and leaves the prepared statements alone.
    connection.connection.dbapi_connection.commit()
    log.debug("a transaction that only read ended with COMMIT")
