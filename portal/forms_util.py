"""Show a service's DomainError beside the form field it concerns."""
from __future__ import annotations

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
