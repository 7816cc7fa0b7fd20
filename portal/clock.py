"""The one place that reads the wall clock.

Services take `now` as an argument; views ask `now()` here. Tests and demos may pin the
clock with the FIXED_NOW setting so that pages behave as on another date.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Naive UTC: every timestamp in the database is naive UTC, on SQLite and PostgreSQL alike."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now() -> datetime:
    if has_app_context():
        fixed = current_app.config.get("FIXED_NOW")
        if fixed is not None:
            return fixed
    return utcnow()


def today() -> date:
    return now().date()
