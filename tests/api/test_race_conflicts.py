"""A request that loses a race to another transaction answers 409, never 500 (issue 14, point 1):
SQLite's lock wait running out, or a PostgreSQL deadlock, is a conflict for the caller to retry."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from grants import api_applicant
from tests.api.applicant_world import me  # noqa: F401


def _lost_race(*args, **kwargs):
    raise OperationalError("UPDATE application ...", {}, sqlite3.OperationalError("database is locked"))


def test_a_request_that_waited_too_long_for_a_lock_answers_409(client, me, monkeypatch):
    application = me.filled()
    monkeypatch.setattr(api_applicant.services, "withdraw_application", _lost_race)
    response = client.post(f"/api/v1/applications/{application.id}/withdraw", headers=me.headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


def test_any_other_database_fault_is_not_hidden_as_a_conflict(client, me, monkeypatch):
    application = me.filled()

    def broken(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(api_applicant.services, "withdraw_application", broken)
    with pytest.raises(OperationalError):
        client.post(f"/api/v1/applications/{application.id}/withdraw", headers=me.headers)
