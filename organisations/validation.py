"""Checks of Swedish identifiers: organisation number, bankgiro and plusgiro.

Each kind of mistake gets its own message, so that the person typing knows what to fix."""
from __future__ import annotations

from flask_babel import gettext as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.se import orgnr

from portal.errors import DomainError


class InvalidNumber(DomainError):
    pass


def clean_org_number(value: str, field: str = "org_number") -> str:
    """Return the organisation number as 10 digits without dash, or raise with a message for
    the kind of mistake: letters or other characters, wrong length, or wrong check digit."""
    raw = (value or "").strip()
    if not raw:
        raise InvalidNumber(_("Enter the organisation number."), field=field)
    try:
        return orgnr.validate(raw)
    except InvalidLength:
        raise InvalidNumber(_("An organisation number has 10 digits, written like 802412-3450."), field=field)
    except InvalidChecksum:
        raise InvalidNumber(_("The organisation number's last digit (check digit) does not match. "
                              "Check that you typed it correctly."), field=field)
    except InvalidFormat:  # after InvalidLength: stdnum makes that a subclass
        raise InvalidNumber(_("An organisation number has only digits, written like 802412-3450."), field=field)
    except ValidationError:  # any other refusal from stdnum
        raise InvalidNumber(_("This is not a valid organisation number."), field=field)


def format_org_number(number: str | None) -> str:
    """NNNNNN-NNNN for display."""
    if not number:
        return ""
    return orgnr.format(number) if len(number) == 10 else number


GIRO_LENGTHS = {"bankgiro": (7, 8), "plusgiro": (2, 8)}


def clean_payment_account(account_type: str | None, value: str | None, field: str = "payment_account") -> str | None:
    """Bankgiro (7-8 digits) or plusgiro (2-8 digits), Luhn-checked. Stored as digits only."""
    raw = (value or "").strip()
    if not raw:
        return None
    if account_type not in GIRO_LENGTHS:
        raise InvalidNumber(_("Choose whether the account is a bankgiro or a plusgiro."), field="payment_account_type")
    digits = raw.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        raise InvalidNumber(_("The account number may only contain digits, spaces and a dash."), field=field)
    low, high = GIRO_LENGTHS[account_type]
    if not low <= len(digits) <= high:
        if account_type == "bankgiro":
            raise InvalidNumber(_("A bankgiro number has 7 or 8 digits, like 5050-1055."), field=field)
        raise InvalidNumber(_("A plusgiro number has 2 to 8 digits, like 90 20 03-3."), field=field)
    try:
        luhn.validate(digits)
    except ValidationError:
        raise InvalidNumber(_("The account number's check digit does not match. Check that you typed it correctly."),
                            field=field)
    return digits


def format_payment_account(account_type: str | None, digits: str | None) -> str:
    if not digits:
        return ""
    if account_type == "bankgiro":
        return f"{digits[:-4]}-{digits[-4:]}"
    return f"{digits[:-1]}-{digits[-1]}"
