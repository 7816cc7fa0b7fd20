"""The dashboard's figures, kept per worker until the data under them changes.

Every committed transaction that wrote a row the figures read (the WATCHED tables) replaces the
token in insight_data_version, as its last statement before COMMIT (so the row lock is held only
for the commit and cannot take part in a deadlock). A request reads the token (one primary-key
query) and reuses what was computed under the same token, filter, day and language; any change
means a new token and so a recomputation. Changes are seen through the ORM session: flushed
objects and insert/update/delete statements run by a session. A write that bypasses every session
(raw SQL on a connection, COPY) is not seen, so an entry is also dropped after
INSIGHT_CACHE_SECONDS; 0 turns the cache off.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from monitoring.insight.models import InsightDataVersion

WATCHED = frozenset({"grant_award", "tranche", "follow_up_plan", "milestone", "grantee_report", "evaluation",
                     "programme", "committee", "organisation", "organisation_district"})
_CHANGED = "insight_figures_changed"
MAX_ENTRIES = 64  # a whole dashboard body is ~70 kB at city scale


def _watched(objects) -> bool:
    return any(getattr(type(o), "__tablename__", None) in WATCHED for o in objects)


def _after_flush(session: Session, flush_context) -> None:
    if _watched(session.new) or _watched(session.dirty) or _watched(session.deleted):
        session.info[_CHANGED] = True


def _do_orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED:
            state.session.info[_CHANGED] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # the commit's own flush comes after this hook: see what it writes first
    if not session.info.pop(_CHANGED, False):
        return
    token = secrets.token_hex(16)
    connection = session.connection()
    if connection.execute(update(InsightDataVersion.__table__).values(token=token)).rowcount == 0:
        connection.execute(insert(InsightDataVersion.__table__).values(id=1, token=token))


def _forget(session: Session, *args) -> None:
    session.info.pop(_CHANGED, None)


def listen() -> None:
    """Watch every session (the app's and those opened on the engine), once per process."""
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _do_orm_execute),
                     ("before_commit", _before_commit), ("after_rollback", _forget)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def data_version(session: Session) -> str | None:
    return session.scalar(select(InsightDataVersion.token).where(InsightDataVersion.id == 1))


class FigureCache:
    """A small least-recently-used store per app and process."""

    def __init__(self):
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, token: str | None, key: Hashable, compute: Callable[[], object]):
        seconds = current_app.config["INSIGHT_CACHE_SECONDS"]
        if token is None or seconds <= 0:
            return compute()
        full_key, now = (token, key), time.monotonic()
        with self._lock:
            entry = self._entries.get(full_key)
            if entry is not None and now - entry[0] < seconds:
                self._entries.move_to_end(full_key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[full_key] = (now, value)
            self._entries.move_to_end(full_key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value


def figure_cache() -> FigureCache:
    return current_app.extensions["insight_cache"]
