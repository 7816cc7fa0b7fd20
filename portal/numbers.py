"""Numbers from outside (typed on a page, sent in JSON, read from a URL): finite and bounded.

Python's `Decimal` and `int` read far more than people type: `NaN`, `Infinity`, `1e999999`,
Arabic-Indic or fullwidth digits. Such a value either fails later (a 500 when the database or
JSON cannot hold it) or is stored and breaks every answer that shows it. So every number that
comes in passes through one of these helpers, which accept ASCII digits only, no exponent, and a
value that fits the column it goes to.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from portal.errors import DomainError

# An optional sign, at most 30 ASCII digits, an optional fraction: no exponent, no other digits.
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}(?:\.[0-9]{1,30})?")
_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")

MAX_ID = 2**31 - 1  # ids are 32-bit integers (PostgreSQL INTEGER)
MAX_BIGINT = 2**63 - 1  # öre columns are BIGINT
MAX_ORE = 10**15  # 10 000 billion kronor: beyond any budget, and sums of many stay inside BIGINT
NUMERIC_14_2 = Decimal("1e12")  # Numeric(14, 2) holds 12 digits before the point


def finite_decimal(text: str | None, max_abs: Decimal | int, places: int | None, field: str | None = None,
                   message: str | None = None) -> Decimal:
    """Text such as "12.5" (already without spaces, with "." as the decimal point) -> Decimal.

    Refuses (DomainError on `field`) anything but ASCII digits, more than `places` decimals, and
    a value whose magnitude reaches `max_abs`. `places=None`: any number of decimals (the caller rounds)."""
    raw = (text or "").strip()
    if not _DECIMAL.fullmatch(raw):
        raise DomainError(message or _("Enter a number, like 12,5."), field=field)
    return bounded_decimal(Decimal(raw), max_abs, places, field)


def bounded_decimal(value: Decimal, max_abs: Decimal | int, places: int | None,
                    field: str | None = None) -> Decimal:
    """A Decimal that is finite, below `max_abs` in magnitude and has at most `places` decimals."""
    if not value.is_finite() or abs(value) >= max_abs:
        raise DomainError(_("The number is too large."), field=field)
    if places is not None and _decimals(value) > places:
        raise DomainError(_("Use at most %(places)s decimals.", places=places), field=field)
    return value


def _decimals(value: Decimal) -> int:
    """Significant decimals: 1.50 has one. Read from the digits, as quantize would round."""
    _sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits))
    return max(0, -(exponent + len(text) - len(text.rstrip("0"))))


def json_decimal(value, max_abs: Decimal | int, places: int | None, field: str | None = None) -> Decimal:
    """A JSON number (int or float, as the API's parser gives it) -> a bounded Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DomainError(_("Enter a number, like 12,5."), field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise DomainError(_("The number is too large."), field=field)
    if isinstance(value, int) and abs(value) >= max_abs:  # before Decimal: a 5000-digit int is slow to print
        raise DomainError(_("The number is too large."), field=field)
    return bounded_decimal(Decimal(repr(value)) if isinstance(value, float) else Decimal(value),
                           max_abs, places, field)


def whole_number(text: str | None, max_abs: int) -> int | None:
    """ASCII digits -> int below `max_abs` in magnitude; None for anything else (the caller says why)."""
    raw = (text or "").strip()
    if not _WHOLE.fullmatch(raw):
        return None
    value = int(raw)
    return value if abs(value) < max_abs else None


def digits_at_most(limit: int) -> str:
    """A regular expression for the ASCII numbers 0..limit (e.g. "2147483647": every shorter number,
    or the same length and smaller at the first digit that differs, or the limit itself)."""
    text = str(limit)
    parts = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            parts.append(text[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*parts, text]) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to MAX_ID, so /grants/99999999999999999999 is a
    404 on both databases instead of an overflow in the query (PostgreSQL) or the driver (SQLite).
    The bound is in the pattern itself: Werkzeug checks a rule's methods before its converters, so a
    bound checked only in to_python turns a PUT with a too large id into a 405 instead of a 404."""

    regex = digits_at_most(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_url_converter(app) -> None:
    """Replace Flask's `int` converter before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
