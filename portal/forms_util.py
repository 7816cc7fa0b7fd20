"""Helpers for pages: a service's DomainError beside its field, choices, one change per transaction.

Every page action goes through one of two doors, so a page never writes its own
try/rollback/commit block:

- `apply_change(change, success)` for a button (no form fields): commit and say `success`, or
  roll back and flash the refusal; the view redirects either way.
- `save_form(form, change, success)` for a form: commit and say `success`, or roll back and put
  the refusal beside the field it names; the view shows the form again with `render_form`.

A page shown again because a form was refused answers `REFUSED_FORM_STATUS` (422, as the API
answers a refused request), whatever the package.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import flash, render_template
from wtforms import Form

from portal.errors import DomainError

REFUSED_FORM_STATUS = 422


@dataclass(frozen=True)
class Applied:
    """A change that was saved; `value` is what the service returned. Always true."""

    value: object = None


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


def _run(change: Callable[[], object], refused: Callable[[DomainError], None],
         success: str | None) -> Applied | None:
    from portal.concurrency import DATABASE_RACE_ERRORS, race_conflict
    from portal.extensions import db

    try:
        value = change()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        refused(error)
        return None
    except DATABASE_RACE_ERRORS as error:  # a concurrent change won: a refusal, not a 500
        db.session.rollback()
        if (conflict := race_conflict(error)) is None:
            raise
        refused(conflict)
        return None
    if success:
        flash(success, "success")
    return Applied(value)


def apply_change(change: Callable[[], object], success: str | None) -> Applied | None:
    """Run one state change of a page as one transaction: commit and say `success`, or roll back
    and show the service's refusal. Nothing half-done is saved either way."""
    return _run(change, lambda error: flash(error.message, "error"), success)


def save_form(form, change: Callable[[], object], success: str | None = None) -> Applied | None:
    """`apply_change` for a form: a refusal is shown beside the field it names (or above the
    form), and the user's input stays in the form for `render_form` to show again."""
    return _run(change, lambda error: attach_error(form, error), success)


def flash_form_errors(form) -> None:
    """For a small form inside a page (a row's button with a field) that redirects back to the
    page: its refusals are said at the top of the page, as the page cannot show them beside a
    field it renders again."""
    from flask_babel import gettext as _

    messages = [message for field_errors in form.errors.values() for message in field_errors]
    for message in messages or [_("The form could not be read. Reload the page and try again.")]:
        flash(message, "error")


def render_form(template: str, **context):
    """Render a page with forms; if any form in `context` was refused, answer 422."""
    refused = any(isinstance(value, Form) and value.errors for value in context.values())
    return render_template(template, **context), (REFUSED_FORM_STATUS if refused else 200)
