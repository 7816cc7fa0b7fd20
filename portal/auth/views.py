"""Log in, log out, change and reset password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import clock
from portal.auth import services, sessions
from portal.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, ResetRequestForm
from portal.errors import DomainError
from portal.extensions import db
from portal.forms_util import render_form, save_form
from portal.views import safe_next

bp = Blueprint("auth", __name__)


def client_ip() -> str:
    # Behind a reverse proxy, TRUSTED_PROXIES makes remote_addr the client's (portal.web_security).
    return request.remote_addr or "unknown"


def log_in(user) -> None:
    """Put the server-side session just started for `user` (sessions.start_session, committed) in
    the cookie. Nothing of the cookie session before survives but the language chosen: no session
    fixation, and a new CSRF token (Flask-WTF keeps it in the session, and in `g` for this request)."""
    clear_cookie_session()
    login_user(user)


KEPT_ACROSS_LOGIN = ("lang", "_flashes")  # the language chosen, and messages not yet shown


def clear_cookie_session() -> None:
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    g.pop("csrf_token", None)
    session.update(kept)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session, email=form.email.data, password=form.password.data, ip=client_ip(),
                now=clock.now(), limits=current_app.config,
            )
        except DomainError as error:
            # Not save_form: a refused login is committed, not rolled back, because the failed
            # attempt it recorded counts towards the throttle.
            db.session.commit()
            form.form_errors.append(error.message)
            if isinstance(error, services.LoginThrottled):
                return render_template("auth/login.html", form=form), 429
        else:
            sessions.start_session(db.session, user, now=clock.utcnow())
            db.session.commit()
            log_in(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    return render_form("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    sessions.end_session(db.session, current_user.session_token, now=clock.utcnow())
    db.session.commit()
    logout_user()
    clear_cookie_session()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()

    def change_and_stay_logged_in():
        services.change_password(db.session, user, current=form.current_password.data,
                                 new=form.new_password.data, now=clock.now())
        sessions.start_session(db.session, user, now=clock.utcnow())  # all ended: a new one for this browser

    if form.validate_on_submit() and save_form(form, change_and_stay_logged_in, _("Your password is changed.")):
        log_in(user)
        return redirect(url_for("main.home"))
    return render_form("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            db.session, email=form.email.data, now=clock.now(), base_url=current_app.config["BASE_URL"],
            valid_hours=current_app.config["PASSWORD_RESET_HOURS"],
        )
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("If there is an account for that address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_form("auth/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(db.session, token, clock.now())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit() and save_form(
            form, lambda: services.reset_password(db.session, token=token, new_password=form.password.data,
                                                  now=clock.now()),
            _("Your new password is saved. Log in with it.")):
        return redirect(url_for("auth.login"))
    return render_form("auth/reset_password.html", form=form)
