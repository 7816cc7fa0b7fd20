"""Display formats: money in Swedish style (1 234,50 kr), dates in the user's locale, labels of a list."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, format_datetime, get_locale


def format_money(ore: int | None) -> str:
    """Money is stored as integer öre; shown as kronor with two decimals: '1 234,50 kr'.

    Swedish style written out by hand (no-break space between thousands, decimal comma): lists
    show hundreds of amounts, and Babel parses its pattern on every call.
    tests/portal/test_formatting.py holds it to Babel's output."""
    if ore is None:
        return ""
    kronor, rest = divmod(abs(int(ore)), 100)
    sign = "-" if ore < 0 else ""
    return f"{sign}{kronor:,}".replace(",", "\u00a0") + f",{rest:02d}\u00a0kr"


def format_dt(value: datetime | None) -> str:
    """A stored (naive UTC) time in the city's time zone. Swedish is written out by hand: Babel
    and Flask-Babel's zone lookup cost about 150 µs a call, and lists show one per row.
    tests/portal/test_formatting.py holds it to Babel's output."""
    if not value:
        return ""
    if str(get_locale()) == "sv":
        return _local_time(value).strftime("%Y-%m-%d %H:%M")
    return format_datetime(value, "short")


def _local_time(value: datetime) -> datetime:
    utc = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    return utc.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))  # ZoneInfo caches each zone


def format_d(value: date | None) -> str:
    if not value:
        return ""
    if str(get_locale()) == "sv":
        # ISO dates in Swedish; a datetime goes through Babel for the time zone.
        return value.isoformat() if not isinstance(value, datetime) else format_date(value, "yyyy-MM-dd")
    return format_date(value, "medium")


def translated(labels: dict) -> dict[str, str]:
    """A label table (lazy strings) translated once, for a list that shows a label on every row: a lazy
    string looks the locale and catalogue up again each time it is rendered."""
    return {key: str(label) for key, label in labels.items()}
