"""Money input: kronor typed by people ("1 234,50", "1234.50") to integer öre, exactly."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal.errors import DomainError


def parse_kronor(text: str | None, field: str | None = None, allow_empty: bool = False) -> int:
    """Kronor as text -> öre (int). Decimal, never float: 0.1 + 0.2 must stay 30 öre."""
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("kr", "")
    if raw == "":
        if allow_empty:
            return 0
        raise DomainError(_("Enter an amount in kronor, like 1 234,50."), field=field)
    if "," in raw and "." in raw:  # "1.234,50": dots group thousands
        raw = raw.replace(".", "")
    raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(_("Enter an amount in kronor, like 1 234,50."), field=field) from None
    if value < 0:
        raise DomainError(_("The amount cannot be negative."), field=field)
    ore = value * 100
    if ore != ore.to_integral_value():
        raise DomainError(_("Use at most two decimals (öre)."), field=field)
    return int(ore)


def format_kronor_input(ore: int | None) -> str:
    """Öre -> the text a form shows back ("1234,50")."""
    if ore is None:
        return ""
    kronor, rest = divmod(int(ore), 100)
    return f"{kronor},{rest:02d}" if rest else str(kronor)
