"""Display formats: money in Swedish style (1 234,50 kr), dates in the user's locale."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, get_locale
from babel.numbers import format_decimal


def format_money(ore: int | None) -> str:
    """Money is stored as integer öre; shown as kronor with two decimals: '1 234,50 kr'."""
    if ore is None:
        return ""
    amount = Decimal(ore) / 100
    text = format_decimal(amount, format="#,##0.00", locale="sv_SE")
    return f"{text}\u00a0kr".replace("\u202f", "\u00a0")


def format_dt(value: datetime | None) -> str:
    return format_datetime(value, "short") if value else ""


def format_d(value: date | None) -> str:
    if not value:
        return ""
    return format_date(value, "yyyy-MM-dd" if str(get_locale()) == "sv" else "medium")
