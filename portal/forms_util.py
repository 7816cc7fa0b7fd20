"""Helpers for pages: a service's DomainError beside its field, choices, one change per transaction."""
from __future__ import annotations

from typing import Callable

from flask import flash

from portal.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors or []) + [error.message]
    else:
        form.form_errors.append(error.message)
        flash(error.message, "error")


def choices(pairs) -> list:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]


def apply_change(change: Callable[[], object], success: str) -> bool:
    """Run one state change of a page as one transaction: commit and say `success`, or roll back
    and show the service's refusal. Nothing half-done is saved either way."""
    from portal.extensions import db

    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True
