"""The database decides races (STYLE.md): two requests that read the same state must not both win.

- `update_status_if(session, obj, expected, values, conflict)`: a state move as one conditional
  UPDATE (`... WHERE id = :id AND status = :expected`); no row changed means someone else moved
  the object first, and `conflict` is raised before anything else is written.
- `lock_row(session, model, id)`: take the lock on the row that owns a limit (the programme for
  its budget, the grant for its claims) before the sums under that limit are read. PostgreSQL:
  `SELECT ... FOR UPDATE`. SQLite has no row locks: the transaction takes the database's write
  lock at once (`BEGIN IMMEDIATE`), so a second writer waits until the first has committed and
  then reads its sums afresh.
- Neither waits for ever: SQLite gives up after its busy timeout (5 s, set on every connection in
  `portal`), and on PostgreSQL both helpers set `lock_timeout` to `LOCK_WAIT_MS` for the rest of
  the transaction; a wait that runs out is a lost race like any other.
- `race_conflict(error)`: the doors (`portal.forms_util`, the API's `@endpoint`) turn a database
  error that means "someone else changed it first" into a `Conflict`, never a 500.
"""
from __future__ import annotations

from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from portal.errors import Conflict

T = TypeVar("T")


def update_status_if(session: Session, obj: object, *, expected: str, values: dict, conflict: Conflict) -> None:
    """Write `values` (which include the new status) only if the row's status is still `expected`;
    otherwise raise `conflict`. The ORM object gets the written values without a second UPDATE."""
    model = type(obj)
    _bound_lock_wait(session)
    result = session.execute(
        update(model).where(model.id == obj.id, model.status == expected).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise conflict
    for key, value in values.items():
        set_committed_value(obj, key, value)


def lock_row(session: Session, model: type[T], ident: int) -> T:
    """Lock the row `ident` of `model` for the rest of the transaction and return it read afresh."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _begin_immediate(connection)
        return session.scalars(select(model).where(model.id == ident)
                               .execution_options(populate_existing=True)).one()
    _bound_lock_wait(session)
    return session.scalars(select(model).where(model.id == ident).with_for_update(of=model)
                           .execution_options(populate_existing=True)).one()


# How long a PostgreSQL statement of these helpers waits for a row lock held by another
# transaction (SQLite's busy timeout is as long). Then it fails with 55P03: a 409, not a hang.
LOCK_WAIT_MS = 5000


def _bound_lock_wait(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # SET takes no bind parameters; the value is this module's integer, never input.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(LOCK_WAIT_MS)}")


def _begin_immediate(connection) -> None:
    """pysqlite opens a transaction only before its first INSERT/UPDATE/DELETE, so a transaction
    already open has written and so holds the write lock; otherwise take it now."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# What the database says when a concurrent change won: a versioned UPDATE that found no row, a
# unique row written first by the other, SQLite's lock wait running out, a PostgreSQL deadlock.
DATABASE_RACE_ERRORS = (StaleDataError, IntegrityError, OperationalError)
_LOCK_PGCODES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def race_conflict(error: Exception) -> Conflict | None:
    """The Conflict (409) a lost race means, or None if `error` is no lost race (a real fault)."""
    if isinstance(error, OperationalError):
        orig = error.orig
        if getattr(orig, "sqlstate", None) not in _LOCK_PGCODES and "locked" not in str(orig):
            return None
    elif not isinstance(error, (StaleDataError, IntegrityError)):
        return None
    return Conflict(_("Someone else changed the same thing at the same time. Reload the page and try again."))
