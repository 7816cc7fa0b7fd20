"""Loaders and helpers shared by the grants pages: an object or 404, access or 403, settings."""
from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Select, select

from grants import permissions
from grants.models import Application, ApplicationStatus
from portal.extensions import db
from portal.models import Role, RoleGrant, User


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def get_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def final_report_max_days() -> int:
    return current_app.config["FINAL_REPORT_MAX_DAYS_AFTER_END"]


def load_staff_application(application_id: int, statement: Select | None = None) -> Application:
    """The application for a staff page (404 for a draft), read by `statement` (its id bound as
    "id") where the page loads more with it."""
    application = (db.session.get(Application, application_id) if statement is None else
                   db.session.scalars(statement, {"id": application_id}).unique().first())
    if application is None:
        abort(404)
    require(permissions.can_view_application_as_staff(current_user, application))
    if application.status == ApplicationStatus.DRAFT.value:
        abort(404)  # drafts belong to the applicant until submitted
    return application


def committee_officers(committee_id: int) -> list:
    """(id, name) of the committee's officers, for a choice list."""
    return db.session.execute(select(User.id, User.name).join(RoleGrant).where(
        RoleGrant.role == Role.OFFICER.value, RoleGrant.committee_id == committee_id).order_by(User.name)).all()
