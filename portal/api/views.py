"""Pages: the API documentation (/api), the OpenAPI document, and the user's tokens."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import clock
from portal.api import tokens as token_service
from portal.api.core import API_PREFIX, REGISTRY, bp as api_bp
from portal.api.forms import RevokeForm, TokenForm
from portal.api.openapi import auth_text, document
from portal.errors import NotFound
from portal.extensions import db
from portal.forms_util import apply_change, render_form, save_form

pages = Blueprint("api_pages", __name__)


@api_bp.route("/openapi.json")
def openapi_json():
    return jsonify(document(current_app.config["BASE_URL"]))


@pages.route("/api")
def docs():
    endpoints = sorted(REGISTRY, key=lambda e: (e.tags[0] if e.tags else "", e.path, e.method))
    return render_template("api/docs.html", endpoints=endpoints, auth_text=auth_text,
                           base=current_app.config["BASE_URL"] + API_PREFIX)


@pages.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        created = save_form(form, lambda: token_service.create_token(
            db.session, current_user, name=form.name.data, days=form.days.data, by=current_user, now=clock.now()))
        if created:
            _row, new_token = created.value
            form = TokenForm(formdata=None)
    # The new token is shown in this response only; it is never stored or put in the session.
    return render_form("api/tokens.html", form=form, new_token=new_token, revoke_form=RevokeForm(),
                       tokens=token_service.tokens_of(db.session, current_user), now=clock.now())


@pages.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    form = RevokeForm()
    if not form.validate_on_submit():
        return redirect(url_for(".tokens"))
    try:
        token = token_service.own_token(db.session, current_user, token_id)
    except NotFound:
        abort(404)  # someone else's token is as unknown as a missing one
    apply_change(lambda: token_service.revoke_token(db.session, token, by=current_user, now=clock.now()),
                 _("The token %(name)s is revoked.", name=token.name))
    return redirect(url_for(".tokens"))
