"""Open programmes (bidragsutlysningar) in the JSON API: public, no token needed."""
from __future__ import annotations

from grants.models import ActionArea, Programme
from grants.services.programmes import open_programmes_query
from portal import clock
from portal.api.core import DATE, ID, MONEY, PUBLIC, Param, endpoint, not_found, page_of, paginated
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


@endpoint("GET", "/programmes", summary="Programmes open for applications today", tags=["programmes"],
          auth=PUBLIC, response=page_of(PROGRAMME), paginated=True,
          params=[Param("committee", ID, "Committee id."),
                  Param("action_area", {"type": "string", "enum": [a.value for a in ActionArea]}, "Action area."),
                  Param("district", {"type": "string", "maxLength": 100},
                        "A district the programme covers: one of its districts, the whole name in any case.")],
          example="?action_area=targeted")
def list_programmes(query):
    stmt = open_programmes_query(clock.today(), query["committee"], query["action_area"], query["district"])
    return paginated(stmt, query, programme_json)


@endpoint("GET", "/programmes/{programme_id}", summary="One open programme", tags=["programmes"], auth=PUBLIC,
          response=PROGRAMME)
def get_programme(programme_id: int):
    programme = db.session.scalar(open_programmes_query(clock.today()).where(Programme.id == programme_id))
    if programme is None:
        raise not_found("No such open programme")
    return programme_json(programme)


# Endpoints by audience, each in a module of its own; importing them here registers them.
from grants import api_applicant, api_staff  # noqa: E402,F401
