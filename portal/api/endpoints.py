"""Endpoints of the shell itself: who am I, which committees exist."""
from __future__ import annotations

from sqlalchemy import select

from portal.api.core import ANY_USER, api_user, endpoint, nullable, page_of, paginated
from portal.models import Committee, CommitteeKind, Role

COMMITTEE = {"type": "object", "required": ["id", "name", "kind", "active"],
             "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                            "kind": {"type": "string", "enum": [k.value for k in CommitteeKind]},
                            "active": {"type": "boolean"}}}
COMMITTEE_REF = {"type": "object", "required": ["id", "name"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
ME = {"type": "object", "required": ["id", "email", "name", "roles"],
      "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
                     "locale": {"type": ["string", "null"]},
                     "roles": {"type": "array", "items": {
                         "type": "object", "required": ["role", "committee"],
                         "properties": {"role": {"type": "string", "enum": [r.value for r in Role]},
                                        "committee": nullable(COMMITTEE_REF)}}}}}


def committee_ref(committee: Committee | None) -> dict | None:
    return {"id": committee.id, "name": committee.name} if committee else None


@endpoint("GET", "/me", summary="The token's user, with roles and their committees", tags=["account"],
          auth=ANY_USER, response=ME)
def me():
    user = api_user()
    return {"id": user.id, "email": user.email, "name": user.name, "locale": user.locale,
            "roles": [{"role": g.role, "committee": committee_ref(g.committee)}
                      for g in sorted(user.role_grants, key=lambda g: (g.role, g.committee_id or 0))]}


@endpoint("GET", "/committees", summary="Committees (nämnder)", tags=["account"], auth=ANY_USER,
          response=page_of(COMMITTEE), paginated=True, example="?per_page=50")
def committees(query):
    stmt = select(Committee).order_by(Committee.name, Committee.id)
    return paginated(stmt, query, lambda c: {"id": c.id, "name": c.name, "kind": c.kind, "active": c.active})
