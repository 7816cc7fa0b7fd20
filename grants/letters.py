"""The letters (PDF) of a grant: the decision letter in the application's language, and the
stop-payment letter in the same language."""
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


def stop_payment_letter_pdf(stop, grant, tranches) -> bytes:
    """The stop-payment decision (grants.payment_stop), in the grant's letter language."""
    context = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with context, force_locale(stop.letter_locale or "sv"):
        return render_pdf("grants/stop_payment_letter.html", stop=stop, grant=grant, tranches=tranches,
                          labels=all_labels())
