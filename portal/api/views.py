"""Pages: the API documentation (/api), the OpenAPI document, and the user's tokens."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import clock
from portal.api import tokens as token_service
from portal.api.core import API_PREFIX, REGISTRY, bp as api_bp
from portal.api.forms import RevokeForm, TokenForm
from portal.api.openapi import auth_text, document
from portal.errors import DomainError, NotFound
from portal.extensions import db
from portal.forms_util import attach_error

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
        try:
            _row, new_token = token_service.create_token(
                db.session, current_user, name=form.name.data, days=form.days.data, by=current_user,
                now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    # The new token is shown in this response only; it is never stored or put in the session.
    return render_template("api/tokens.html", form=form, new_token=new_token, revoke_form=RevokeForm(),
                           tokens=token_service.tokens_of(db.session, current_user), now=clock.now())


@pages.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    form = RevokeForm()
    if not form.validate_on_submit():
        return redirect(url_for(".tokens"))
    try:
        token = token_service.own_token(db.session, current_user, token_id)
        token_service.revoke_token(db.session, token, by=current_user, now=clock.now())
    except NotFound:
        db.session.rollback()
        return render_template("errors/404.html"), 404
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for(".tokens"))
