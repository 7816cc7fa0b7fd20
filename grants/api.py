"""Open programmes (bidragsutlysningar) in the JSON API: public, no token needed."""
from __future__ import annotations

import json

from sqlalchemy import String, cast, select

from grants.models import ActionArea, Programme, ProgrammeStatus
from portal import clock
from portal.api.core import DATE, ID, MONEY, PUBLIC, Param, endpoint, escape_like, not_found, page_of, paginated
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.extensions import db

PROGRAMME = {
    "type": "object",
    "required": ["id", "title", "committee", "action_area", "opens_on", "closes_on", "budget", "max_per_grant"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
        "committee": COMMITTEE_REF, "action_area": {"type": "string", "enum": [a.value for a in ActionArea]},
        "target_groups": {"type": "array", "items": {"type": "string"}},
        "districts": {"type": "array", "items": {"type": "string"}},
        "budget": MONEY, "max_per_grant": MONEY, "opens_on": DATE, "closes_on": DATE,
        "reporting_rhythm": {"type": "string"},
        "criteria": {"type": "array", "items": {
            "type": "object", "required": ["name", "weight"],
            "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                           "weight": {"type": "integer"}}}},
    },
}


def programme_json(p: Programme) -> dict:
    return {"id": p.id, "title": p.title, "description": p.description, "committee": committee_ref(p.committee),
            "action_area": p.action_area, "target_groups": list(p.target_groups or []),
            "districts": list(p.districts or []), "budget": p.budget, "max_per_grant": p.max_per_grant,
            "opens_on": p.opens_on.isoformat(), "closes_on": p.closes_on.isoformat(),
            "reporting_rhythm": p.reporting_rhythm,
            "criteria": [{"name": c.name, "description": c.description, "weight": c.weight} for c in p.criteria]}


def open_programmes(today):
    """Published programmes that take applications today."""
    return (select(Programme)
            .where(Programme.status == ProgrammeStatus.PUBLISHED.value,
                   Programme.opens_on <= today, Programme.closes_on >= today))


@endpoint("GET", "/programmes", summary="Programmes open for applications today", tags=["programmes"],
          auth=PUBLIC, response=page_of(PROGRAMME), paginated=True,
          params=[Param("committee", ID, "Committee id."),
                  Param("action_area", {"type": "string", "enum": [a.value for a in ActionArea]}, "Action area."),
                  Param("district", {"type": "string", "maxLength": 100}, "A district the programme covers.")],
          example="?action_area=targeted")
def list_programmes(query):
    stmt = open_programmes(clock.today()).order_by(Programme.closes_on, Programme.id)
    if query["committee"]:
        stmt = stmt.where(Programme.committee_id == query["committee"])
    if query["action_area"]:
        stmt = stmt.where(Programme.action_area == query["action_area"])
    if query["district"]:
        # The JSON list is stored as text on SQLite and PostgreSQL alike (json, not jsonb); match the
        # element with its quotes, encoded as the column encodes it.
        pattern = "%" + escape_like(json.dumps(query["district"])) + "%"
        stmt = stmt.where(cast(Programme.districts, String).like(pattern, escape="\\"))
    return paginated(stmt, query, programme_json)


@endpoint("GET", "/programmes/{programme_id}", summary="One open programme", tags=["programmes"], auth=PUBLIC,
          response=PROGRAMME)
def get_programme(programme_id: int):
    programme = db.session.scalar(open_programmes(clock.today()).where(Programme.id == programme_id))
    if programme is None:
        raise not_found("No such open programme")
    return programme_json(programme)


# Endpoints by audience, each in a module of its own; importing them here registers them.
from grants import api_applicant, api_staff  # noqa: E402,F401
