"""The decision letter (PDF) in the application's language."""
from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, has_request_context
from flask_babel import force_locale

from grants.labels import all_labels
from portal.pdf import render_pdf


def decision_letter_pdf(decision, application, grant) -> bytes:
    # The layout's context processor needs a request (current_user); CLI and scheduler have none.
    context = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with context, force_locale(decision.letter_locale or "sv"):
        return render_pdf("grants/decision_letter.html", decision=decision, application=application, grant=grant,
                          plan=application.plan, labels=all_labels())
