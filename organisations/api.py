"""The organisation register in the JSON API (declared in portal.api's registry, found by name)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, Subquery, select
from sqlalchemy.orm import noload

from organisations import services
from organisations.declarations import declaration_status
from organisations.models import LegalForm, Organisation, OrganisationDistrict, OrganisationStatus, PaymentAccountType
from organisations.permissions import can_act_for_organisation, can_view_organisation, represented_organisation_ids
from organisations.register import district_names_column, split_district_names
from organisations.views import allowed_districts
from portal import clock
from portal.api.core import (ANY_USER, DATETIME, ID, ApiError, Param, api_user, endpoint, escape_like, iso, not_found,
                             nullable, page_of)
from portal.extensions import db
from portal.pagination import paginate_rows
from portal.models import Role

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


def organisation_json(org: Organisation, district_names: list[str] | None = None) -> dict:
    """`district_names`: the organisation's districts where the caller read them already (sorted)."""
    return {"id": org.id, "org_number": org.org_number, "name": org.name, "legal_form": org.legal_form,
            "street_address": org.street_address, "postal_code": org.postal_code, "city": org.city,
            "contact_name": org.contact_name, "email": org.email, "phone": org.phone, "website": org.website,
            "founding_year": org.founding_year,
            "members": {"women": org.members_women, "men": org.members_men, "other": org.members_other},
            "status": org.status, "districts": org.district_names if district_names is None else district_names,
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
    # Only the key and the order are read for every match; the page's rows are read whole afterwards.
    stmt = select(Organisation.id, Organisation.name).order_by(Organisation.name, Organisation.id)
    if not user.is_staff:
        stmt = stmt.where(Organisation.id.in_(represented_organisation_ids(user)))
    if query["name"]:
        stmt = stmt.where(Organisation.name.ilike("%" + escape_like(query["name"]) + "%", escape="\\"))
    if query["district"]:
        stmt = stmt.where(Organisation.districts.any(OrganisationDistrict.district == query["district"]))
    if query["status"]:
        stmt = stmt.where(Organisation.status == query["status"])
    # A name search reads every matching row anyway, so the page carries its total: one query, not three.
    page = paginate_rows(db.session, stmt, _listed_organisation_json, page=query["page"], per_page=query["per_page"],
                         total_in_rows=True, per_row=_with_districts)
    return {"items": page.items, "page": query["page"], "per_page": query["per_page"], "total": page.total}


def _with_districts(page: Subquery) -> Select:
    """The page's organisations (no district loading of their own) and their districts."""
    return (select(Organisation, district_names_column(page.c.id).label("districts"))
            .join(page, Organisation.id == page.c.id)
            .options(noload(Organisation.districts)).order_by(page.c.name, page.c.id))


def _listed_organisation_json(row) -> dict:
    return organisation_json(row.Organisation, district_names=split_district_names(row.districts))


# --- Writes of the applicant: register, sign the democracy declaration -------------------------

def _text(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length}


BOARD_MEMBER = {"type": "object", "required": ["id", "name", "role", "authorised_signatory"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "role": {"type": "string"},
                               "authorised_signatory": {"type": "boolean"}}}
ORGANISATION_DETAIL = {**ORGANISATION,
                       "required": ORGANISATION["required"] + ["board"],
                       "properties": {**ORGANISATION["properties"],
                                      "payment_account_type": {"type": ["string", "null"], "enum": [
                                          *(t.value for t in PaymentAccountType), None]},
                                      "payment_account": nullable({"type": "string"}),
                                      "board": {"type": "array", "items": BOARD_MEMBER}}}
COUNT = {"type": "integer", "minimum": 0, "maximum": 10_000_000}
REGISTRATION = {
    "type": "object", "additionalProperties": False,
    "required": ["org_number", "name", "legal_form", "districts", "board"],
    "properties": {
        "org_number": {**_text(20), "description": "Organisationsnummer, e.g. 802412-3450."},
        "name": _text(200), "legal_form": {"type": "string", "enum": [f.value for f in LegalForm]},
        "street_address": _text(200), "postal_code": _text(10), "city": _text(100),
        "contact_name": _text(200), "email": _text(254), "phone": _text(40), "website": _text(300),
        "payment_account_type": {"type": ["string", "null"], "enum": [t.value for t in PaymentAccountType] + [None]},
        "payment_account": _text(20),
        "founding_year": {"type": ["integer", "null"], "minimum": 0, "maximum": 9999},
        "members": {"type": "object", "additionalProperties": False,
                    "properties": {"women": COUNT, "men": COUNT, "other": COUNT}},
        "districts": {"type": "array", "maxItems": 50, "items": _text(100),
                      "description": "Districts of activity, from the city's district names."},
        "board": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {"name": _text(200), "role": _text(100), "authorised_signatory": {"type": "boolean"}}}},
    },
}
JOIN_REQUEST = {"type": "object", "required": ["id", "organisation_id", "status", "created_at"],
                "properties": {"id": {"type": "integer"}, "organisation_id": {"type": "integer"},
                               "status": {"type": "string", "enum": ["pending", "approved", "declined"]},
                               "created_at": DATETIME}}
REGISTRATION_RESULT = {
    "type": "object", "required": ["outcome", "organisation", "join_request"],
    "properties": {"outcome": {"type": "string", "enum": ["registered", "join_requested"]},
                   "organisation": nullable(ORGANISATION_DETAIL), "join_request": nullable(JOIN_REQUEST)},
}
DECLARATION_STATUS = {
    "type": "object", "required": ["valid", "reason", "current_version", "signature"],
    "properties": {
        "valid": {"type": "boolean"},
        "reason": {"type": "string", "enum": ["valid", "missing", "expired", "old_version", "no_text"]},
        "current_version": {"type": ["integer", "null"]},
        "signature": nullable({"type": "object", "required": ["id", "version", "signatory_name", "signed_at",
                                                              "expires_at"],
                               "properties": {"id": {"type": "integer"}, "version": {"type": "integer"},
                                              "signatory_name": {"type": "string"}, "signed_at": DATETIME,
                                              "expires_at": DATETIME}}),
    },
}
SIGNING = {"type": "object", "additionalProperties": False, "required": ["board_member_id", "confirm"],
           "properties": {"board_member_id": {**ID, "description": "The authorised signatory (firmatecknare) "
                                                                   "on the board who signs."},
                          "confirm": {"type": "boolean", "description": "true: the organisation stands behind "
                                                                        "the declaration's text."}}}


def organisation_detail_json(org: Organisation) -> dict:
    return {**organisation_json(org), "payment_account_type": org.payment_account_type,
            "payment_account": org.payment_account,
            "board": [{"id": b.id, "name": b.name, "role": b.role, "authorised_signatory": b.authorised_signatory}
                      for b in org.board_members]}


def _profile(body: dict) -> services.ProfileData:
    members = body.get("members") or {}
    return services.ProfileData(
        name=body["name"], legal_form=body["legal_form"], street_address=body.get("street_address", ""),
        postal_code=body.get("postal_code", ""), city=body.get("city", ""), contact_name=body.get("contact_name", ""),
        email=body.get("email", ""), phone=body.get("phone", ""), website=body.get("website", ""),
        payment_account_type=body.get("payment_account_type"), payment_account=body.get("payment_account", ""),
        founding_year=body.get("founding_year"), members_women=members.get("women", 0),
        members_men=members.get("men", 0), members_other=members.get("other", 0), districts=body["districts"],
        board=[services.BoardRow(row["name"], row.get("role", ""), row.get("authorised_signatory", False))
               for row in body["board"]])


@endpoint("POST", "/organisations", summary="Register an organisation, or ask to join one already registered",
          tags=["organisations"], auth=(Role.APPLICANT,), body=REGISTRATION, response=REGISTRATION_RESULT,
          status=201,
          description="The same rules as the registration page: a confirmed e-mail address, a valid organisation "
                      "number, at least one district and a board with an authorised signatory. You become the "
                      "organisation's first representative. If the number is already registered, a request to "
                      "join goes to its representatives instead (outcome join_requested); 409 if you already "
                      "represent it.",
          example='{"org_number": "802412-3450", "name": "Föreningen Ängen", "legal_form": '
                  '"non_profit_association", "districts": ["Rinkeby-Kista"], "board": [{"name": "Åsa", '
                  '"role": "Ordförande", "authorised_signatory": true}]}')
def register_organisation(body):
    result = services.register_organisation(
        db.session, by=api_user(), org_number=body["org_number"], data=_profile(body),
        allowed_districts=allowed_districts(), now=clock.now(), base_url=current_app.config["BASE_URL"])
    if result.join_request is not None:
        join = result.join_request
        return {"outcome": "join_requested", "organisation": None,
                "join_request": {"id": join.id, "organisation_id": join.organisation_id, "status": join.status,
                                 "created_at": iso(join.created_at)}}
    return {"outcome": "registered", "organisation": organisation_detail_json(result.organisation),
            "join_request": None}


def _load_viewable(organisation_id: int) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None or not can_view_organisation(api_user(), org):
        raise not_found("No such organisation")
    return org


@endpoint("GET", "/organisations/{organisation_id}", summary="One organisation, with its board",
          tags=["organisations"], auth=ANY_USER, response=ORGANISATION_DETAIL,
          description="Not found (404) for an organisation you may not see, as for one that does not exist.")
def get_organisation(organisation_id: int):
    return organisation_detail_json(_load_viewable(organisation_id))


def declaration_json(org: Organisation) -> dict:
    status = declaration_status(db.session, org.id, clock.now())
    signature = status.signature
    return {"valid": status.valid, "reason": status.reason,
            "current_version": status.current_text.version if status.current_text else None,
            "signature": None if signature is None else {
                "id": signature.id, "version": signature.text.version, "signatory_name": signature.signatory_name,
                "signed_at": iso(signature.signed_at), "expires_at": iso(signature.expires_at)}}


@endpoint("GET", "/organisations/{organisation_id}/declaration",
          summary="The organisation's democracy declaration: valid, missing, expired or an old version",
          tags=["organisations"], auth=ANY_USER, response=DECLARATION_STATUS)
def get_declaration(organisation_id: int):
    return declaration_json(_load_viewable(organisation_id))


@endpoint("POST", "/organisations/{organisation_id}/declarations",
          summary="Sign the current democracy declaration for the organisation", tags=["organisations"],
          auth=ANY_USER, body=SIGNING, response=DECLARATION_STATUS, status=201,
          description="For the organisation's representatives, as on the declaration page: the signer names a "
                      "board member marked as authorised signatory (422 otherwise) and confirms the text. Staff "
                      "who may see the organisation get 403; others 404.",
          example='{"board_member_id": 1, "confirm": true}')
def sign_declaration(organisation_id: int, body):
    org = _load_viewable(organisation_id)
    user = api_user()
    if not can_act_for_organisation(user, org):
        raise ApiError(403, "Only the organisation's representatives may sign for it")
    services.sign_declaration(db.session, org, by=user, board_member_id=body["board_member_id"],
                              confirmed=body["confirm"], now=clock.now(),
                              valid_months=current_app.config["DECLARATION_VALID_MONTHS"])
    db.session.flush()
    return declaration_json(org)
