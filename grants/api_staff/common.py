"""What every staff endpoint shares: the roles, the common references and bodies, and the steps that load
an object of the caller's committees and check the caller's role on it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app

from grants import permissions
from grants.models import Application, ApplicationStatus
from portal.api.core import ApiError, api_user, not_found
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.models import Role

STAFF = (Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
TAGS = ["committee staff"]


def text(max_length: int) -> dict:
    """A free text in a body or query: bounded, and without NUL (which PostgreSQL cannot store)."""
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}


USER_REF = {"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
ORGANISATION_REF = {"type": "object", "required": ["id", "name", "org_number", "status"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                   "org_number": {"type": "string"}, "status": {"type": "string"}}}
EMPTY_BODY = {"type": "object", "additionalProperties": False, "properties": {},
              "description": "Send an empty JSON object: {}."}


def user_ref(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def organisation_ref(org) -> dict:
    return {"id": org.id, "name": org.name, "org_number": org.org_number, "status": org.status}


def as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def final_report_max_days() -> int:
    """How many days after a grant's end its final report may fall due (the plan's completeness rule)."""
    return current_app.config["FINAL_REPORT_MAX_DAYS_AFTER_END"]


def parse_date(text: str, field: str) -> date:
    """A date of the body, or 400 naming the field."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ApiError(400, f"{field}: not a date (YYYY-MM-DD)", {field: "not a date (YYYY-MM-DD)"}) from None


def forbid(allowed: bool, message: str) -> None:
    """403 with the message unless the caller's role on the object allows the action."""
    if not allowed:
        raise ApiError(403, message)


def load_staff_application(application_id: int) -> Application:
    """As the staff pages: the programme's committee staff and coordinators see submitted work;
    anyone else (another committee's staff) gets 404, and drafts belong to the applicant."""
    application = db.session.get(Application, application_id)
    if (application is None or application.status == ApplicationStatus.DRAFT.value
            or not permissions.can_view_application_as_staff(api_user(), application)):
        raise not_found("No such application")
    return application


def visible_committee_filter(stmt, committee_column):
    """Coordinators see every committee; officers and decision makers their own."""
    user = api_user()
    if user.is_coordinator:
        return stmt
    return stmt.where(committee_column.in_(staff_committee_ids(user) or {-1}))
