"""The organisation register in the JSON API (declared in portal.api's registry, found by name)."""
from __future__ import annotations

from sqlalchemy import select

from organisations.models import LegalForm, Organisation, OrganisationDistrict, OrganisationStatus
from organisations.permissions import can_view_organisation, represented_organisation_ids
from portal.api.core import (ANY_USER, DATETIME, Param, api_user, endpoint, escape_like, iso, not_found, nullable,
                             page_of, paginated)
from portal.extensions import db

ORGANISATION = {
    "type": "object",
    "required": ["id", "org_number", "name", "legal_form", "status", "districts"],
    "properties": {
        "id": {"type": "integer"}, "org_number": {"type": "string", "pattern": "^[0-9]{10}$"},
        "name": {"type": "string"}, "legal_form": {"type": "string", "enum": [f.value for f in LegalForm]},
        "street_address": {"type": "string"}, "postal_code": {"type": "string"}, "city": {"type": "string"},
        "contact_name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
        "website": {"type": "string"}, "founding_year": {"type": ["integer", "null"]},
        "members": {"type": "object", "properties": {k: {"type": "integer"} for k in ("women", "men", "other")}},
        "status": {"type": "string", "enum": [s.value for s in OrganisationStatus]},
        "districts": {"type": "array", "items": {"type": "string"}},
        "created_at": DATETIME, "updated_at": nullable(DATETIME),
    },
}


def organisation_json(org: Organisation) -> dict:
    return {"id": org.id, "org_number": org.org_number, "name": org.name, "legal_form": org.legal_form,
            "street_address": org.street_address, "postal_code": org.postal_code, "city": org.city,
            "contact_name": org.contact_name, "email": org.email, "phone": org.phone, "website": org.website,
            "founding_year": org.founding_year,
            "members": {"women": org.members_women, "men": org.members_men, "other": org.members_other},
            "status": org.status, "districts": org.district_names,
            "created_at": iso(org.created_at), "updated_at": iso(org.updated_at)}


@endpoint("GET", "/organisations", summary="Organisations: your own, or the whole register for committee staff",
          tags=["organisations"], auth=ANY_USER, response=page_of(ORGANISATION), paginated=True,
          description="An applicant sees the organisations they act for; officers, decision makers and "
                      "coordinators see the whole register.",
          params=[Param(
                      "name", {"type": "string", "maxLength": 200}, "Part of the name."),
                  Param(
                      "district", {"type": "string", "maxLength": 100}, "A district of activity."),
                  Param(
                      "status", {"type": "string", "enum": [s.value for s in OrganisationStatus]}, "Status.")],
          example="?name=förening&per_page=10")
def list_organisations(query):
    user = api_user()
    stmt = select(Organisation).order_by(Organisation.name, Organisation.id)
    if not user.is_staff:
        stmt = stmt.where(Organisation.id.in_(represented_organisation_ids(user)))
    if query["name"]:
        stmt = stmt.where(Organisation.name.ilike("%" + escape_like(query["name"]) + "%", escape="\\"))
    if query["district"]:
        stmt = stmt.where(Organisation.districts.any(OrganisationDistrict.district == query["district"]))
    if query["status"]:
        stmt = stmt.where(Organisation.status == query["status"])
    return paginated(stmt, query, organisation_json)


@endpoint("GET", "/organisations/{organisation_id}", summary="One organisation", tags=["organisations"],
          auth=ANY_USER, response=ORGANISATION,
          description="Not found (404) for an organisation you may not see, as for one that does not exist.")
def get_organisation(organisation_id: int):
    org = db.session.get(Organisation, organisation_id)
    if org is None or not can_view_organisation(api_user(), org):
        raise not_found("No such organisation")
    return organisation_json(org)

