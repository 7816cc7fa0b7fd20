"""Money input: kronor typed by people ("1 234,50", "1234.50") to integer öre, exactly."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.errors import DomainError
from portal.numbers import MAX_ORE, finite_decimal


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
    if raw.startswith("-"):
        raise DomainError(_("The amount cannot be negative."), field=field)
    if "." in raw and len(raw.rsplit(".", 1)[1]) > 2:
        raise DomainError(_("Use at most two decimals (öre)."), field=field)
    value = finite_decimal(raw, MAX_ORE // 100, 2, field, _("Enter an amount in kronor, like 1 234,50."))
    return int(value * 100)


def format_kronor_input(ore: int | None) -> str:
    """Öre -> the text a form shows back ("1234,50")."""
    if ore is None:
        return ""
    kronor, rest = divmod(int(ore), 100)
    return f"{kronor},{rest:02d}" if rest else str(kronor)
