"""Grants (bidrag) of the caller's committees in the JSON API, each with its payment tranches."""
from __future__ import annotations

from sqlalchemy import select

from grants import permissions
from grants.api_staff.common import ORGANISATION_REF, STAFF, TAGS, organisation_ref, visible_committee_filter
from grants.models import Grant, GrantStatus, Tranche, TrancheStatus
from portal.api.core import (DATE, DATETIME, ID, MONEY, Param, api_user, endpoint, iso, not_found, nullable, page_of,
                             paginated)
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.extensions import db

TRANCHE = {
    "type": "object", "required": ["id", "grant_id", "due_on", "amount", "condition", "status"],
    "properties": {
        "id": {"type": "integer"}, "grant_id": {"type": "integer"}, "due_on": DATE, "amount": MONEY,
        "condition": {"type": "string", "enum": ["none", "milestone_approved"]},
        "condition_milestone_id": {"type": ["integer", "null"]},
        "status": {"type": "string", "enum": [s.value for s in TrancheStatus]},
        "released_at": nullable(DATETIME), "paid_at": nullable(DATETIME), "cancelled_at": nullable(DATETIME),
    },
}
GRANT = {
    "type": "object",
    "required": ["id", "application_id", "reference", "title", "organisation", "committee", "programme_id", "amount",
                 "paid", "period_start", "period_end", "status", "tranches"],
    "properties": {
        "id": {"type": "integer"}, "application_id": {"type": "integer"}, "reference": {"type": ["string", "null"]},
        "title": {"type": "string"}, "organisation": ORGANISATION_REF, "committee": COMMITTEE_REF,
        "programme_id": {"type": "integer"}, "amount": MONEY, "paid": MONEY, "period_start": DATE,
        "period_end": DATE, "status": {"type": "string", "enum": [s.value for s in GrantStatus]},
        "created_at": DATETIME, "ended_at": nullable(DATETIME), "end_reason": {"type": ["string", "null"]},
        "tranches": {"type": "array", "items": TRANCHE},
    },
}


def tranche_json(t: Tranche) -> dict:
    return {"id": t.id, "grant_id": t.grant_id, "due_on": t.due_on.isoformat(), "amount": t.amount,
            "condition": t.condition, "condition_milestone_id": t.condition_milestone_id, "status": t.status,
            "released_at": iso(t.released_at), "paid_at": iso(t.paid_at), "cancelled_at": iso(t.cancelled_at)}


def grant_json(grant: Grant) -> dict:
    return {"id": grant.id, "application_id": grant.application_id, "reference": grant.application.reference,
            "title": grant.application.title, "organisation": organisation_ref(grant.organisation),
            "committee": committee_ref(grant.committee), "programme_id": grant.programme_id, "amount": grant.amount,
            "paid": sum(t.amount for t in grant.tranches if t.status == TrancheStatus.PAID.value),
            "period_start": grant.period_start.isoformat(), "period_end": grant.period_end.isoformat(),
            "status": grant.status, "created_at": iso(grant.created_at), "ended_at": iso(grant.ended_at),
            "end_reason": grant.end_reason, "tranches": [tranche_json(t) for t in grant.tranches]}


@endpoint("GET", "/staff/grants", summary="Grants of your committees, with their tranches", tags=TAGS, auth=STAFF,
          response=page_of(GRANT), paginated=True,
          description="Coordinators see every committee's grants.",
          params=[Param("committee", ID, "Committee id."), Param("programme", ID, "Programme id."),
                  Param("organisation", ID, "Organisation id."),
                  Param("status", {"type": "string", "enum": [s.value for s in GrantStatus]}, "Status.")],
          example="?status=active")
def staff_grants(query):
    stmt = select(Grant).order_by(Grant.created_at.desc(), Grant.id.desc())
    stmt = visible_committee_filter(stmt, Grant.committee_id)
    for name, column in (("committee", Grant.committee_id), ("programme", Grant.programme_id),
                         ("organisation", Grant.organisation_id), ("status", Grant.status)):
        if query[name]:
            stmt = stmt.where(column == query[name])
    return paginated(stmt, query, grant_json)


def _load_grant(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    user = api_user()
    if grant is None or not (permissions.is_staff_of(user, grant.committee_id) or user.is_coordinator):
        raise not_found("No such grant")
    return grant


@endpoint("GET", "/staff/grants/{grant_id}", summary="One grant of your committees, with its tranches", tags=TAGS,
          auth=STAFF, response=GRANT)
def staff_grant(grant_id: int):
    return grant_json(_load_grant(grant_id))
