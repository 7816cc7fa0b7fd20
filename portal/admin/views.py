"""The admin area: users and their roles, committees, the outbox and the audit log."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.admin import services
from portal.admin.forms import (COMMITTEE_KIND_LABELS, ROLE_LABELS, CommitteeForm, EmptyForm, RoleGrantForm,
                                UserCreateForm, UserEditForm)
from portal.auth.permissions import role_required
from portal.extensions import db
from portal.forms_util import apply_change, choices, render_form, save_form
from portal.models import AuditEvent, Committee, OutboxMessage, Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def labels():
    return {"role_labels": ROLE_LABELS, "kind_labels": COMMITTEE_KIND_LABELS}


def _committee_choices():
    committees = db.session.scalars(select(Committee).order_by(Committee.name)).all()
    return choices([(0, _("— none —"))] + [(c.id, c.name) for c in committees])


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()
    stmt = select(User).options(selectinload(User.role_grants)).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.name.ilike(like)))
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new():
    form = UserCreateForm()
    form.committee_id.choices = _committee_choices()
    if form.validate_on_submit() and save_form(
            form, lambda: services.create_user(
                db.session, email=form.email.data, name=form.name.data, password=form.password.data,
                by=current_user, now=clock.now(), roles=[(Role(form.role.data), form.committee_id.data or None)]),
            _("The account is created.")):
        return redirect(url_for("admin.users"))
    return render_form("admin/user_new.html", form=form)


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int):
    user = _load_user(user_id)
    form = UserEditForm(obj=user)
    role_form = RoleGrantForm(prefix="role")
    role_form.committee_id.choices = _committee_choices()
    if form.validate_on_submit() and save_form(
            form, lambda: services.update_user(db.session, user, name=form.name.data, active=form.active.data,
                                               by=current_user, now=clock.now()),
            _("The account is saved.")):
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_form("admin/user_edit.html", user=user, form=form, role_form=role_form, revoke_form=EmptyForm())


@bp.post("/users/<int:user_id>/roles")
@role_required(Role.ADMIN)
def role_add(user_id: int):
    user = _load_user(user_id)
    role_form = RoleGrantForm(prefix="role")
    role_form.committee_id.choices = _committee_choices()
    if role_form.validate_on_submit() and save_form(
            role_form, lambda: services.grant_role(db.session, user, Role(role_form.role.data),
                                                   role_form.committee_id.data or None, by=current_user,
                                                   now=clock.now()),
            _("The role is added.")):
        return redirect(url_for("admin.user_edit", user_id=user.id))
    # The account form beside it shows the saved account, not this request's fields (it would read
    # the missing "active" box as unticked).
    form = UserEditForm(formdata=None, obj=user)
    return render_form("admin/user_edit.html", user=user, form=form, role_form=role_form, revoke_form=EmptyForm())


@bp.post("/users/<int:user_id>/roles/<int:grant_id>/revoke")
@role_required(Role.ADMIN)
def role_revoke(user_id: int, grant_id: int):
    user = _load_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    apply_change(
        lambda: services.revoke_role(db.session, user, grant_id, by=current_user, now=clock.now()),
        _("The role is removed."))
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.get("/committees")
@role_required(Role.ADMIN)
def committees():
    rows = db.session.scalars(select(Committee).order_by(Committee.kind, Committee.name)).all()
    return render_template("admin/committees.html", committees=rows)


@bp.route("/committees/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def committee_new():
    form = CommitteeForm()
    if form.validate_on_submit() and save_form(
            form, lambda: services.create_committee(db.session, name=form.name.data, kind=form.kind.data,
                                                    by=current_user, now=clock.now()),
            _("The committee is created.")):
        return redirect(url_for("admin.committees"))
    return render_form("admin/committee_form.html", form=form, committee=None)


@bp.route("/committees/<int:committee_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def committee_edit(committee_id: int):
    committee = db.session.get(Committee, committee_id) or abort(404)
    form = CommitteeForm(obj=committee)
    if form.validate_on_submit() and save_form(
            form, lambda: services.update_committee(db.session, committee, name=form.name.data, kind=form.kind.data,
                                                    active=form.active.data, by=current_user, now=clock.now()),
            _("The committee is saved.")):
        return redirect(url_for("admin.committees"))
    return render_form("admin/committee_form.html", form=form, committee=committee)


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox():
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("admin/outbox.html", page=page,
                           mail_configured=bool(current_app.config["MAIL_SERVER"]))


@bp.get("/outbox/<int:message_id>")
@role_required(Role.ADMIN)
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("admin/outbox_message.html", message=message)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    object_type = (request.args.get("object_type") or "").strip()
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("admin/audit.html", page=page, object_type=object_type)
