"""Awarded grants in the 360Giving standard in the JSON API: public.

The same builder as the open-data pages (monitoring.insight.open_data), so the API and the published
files list the same grants with the same fields and leave out the same confidential things."""
from __future__ import annotations

from datetime import date

from flask import Response

from monitoring.insight import open_data
from portal.api.core import MAX_PER_PAGE, PAGE_PARAMS, PUBLIC, ApiError, Param, endpoint
from portal.extensions import db

SINCE = Param("since", {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
              "Only grants decided on or after this date (YYYY-MM-DD).")

ORG_REF = {"type": "object", "required": ["id", "name"], "additionalProperties": False,
           "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                          "addressLocality": {"type": "string"}}}
GRANT_360 = {
    "type": "object",
    "description": "A grant in the 360Giving Data Standard (https://standard.threesixtygiving.org).",
    "required": ["id", "title", "description", "currency", "amountAwarded", "awardDate",
                 "recipientOrganization", "fundingOrganization"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "currency": {"type": "string", "enum": ["SEK"]},
        "amountAwarded": {"type": "number", "description": "Kronor (SEK), not öre."},
        "awardDate": {"type": "string", "format": "date"},
        "plannedDates": {"type": "array", "items": {
            "type": "object", "required": ["startDate", "endDate"],
            "properties": {"startDate": {"type": "string", "format": "date"},
                           "endDate": {"type": "string", "format": "date"}}}},
        "recipientOrganization": {"type": "array", "minItems": 1, "items": ORG_REF},
        "fundingOrganization": {"type": "array", "minItems": 1, "items": ORG_REF},
        "grantProgramme": {"type": "array", "items": {
            "type": "object", "required": ["code", "title"],
            "properties": {"code": {"type": "string"}, "title": {"type": "string"}}}},
        "dataSource": {"type": "string"},
        "lastModified": {"type": "string"},
    },
}
GRANTS_360_PAGE = {
    "type": "object", "required": ["grants", "page", "per_page", "total"],
    "description": "A 360Giving data package ({\"grants\": [...]}) holding one page, with the paging fields.",
    "properties": {"grants": {"type": "array", "items": GRANT_360},
                   "page": {"type": "integer", "minimum": 1},
                   "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                   "total": {"type": "integer", "minimum": 0}},
}
DESCRIPTION = ("Every grant created by an approving decision, withdrawn ones included (the standard records "
               "awards); nothing about findings, withdrawals or persons. Amounts in kronor.")


def _since(query: dict) -> date | None:
    if not query["since"]:
        return None
    try:
        return date.fromisoformat(query["since"])
    except ValueError:
        raise ApiError(400, "since must be a date: YYYY-MM-DD", {"since": "must be a date"}) from None


@endpoint("GET", "/open-data/360giving/grants", summary="Awarded grants in the 360Giving standard (JSON)",
          tags=["open data"], auth=PUBLIC, response=GRANTS_360_PAGE, params=[SINCE] + PAGE_PARAMS,
          description=DESCRIPTION, example="?per_page=100")
def open_data_grants(query):
    total, grants = open_data.grants_360_page(db.session, page=query["page"], per_page=query["per_page"],
                                              since=_since(query))
    return {"grants": grants, "page": query["page"], "per_page": query["per_page"], "total": total}


@endpoint("GET", "/open-data/360giving/grants.csv", summary="Awarded grants in the 360Giving standard (CSV)",
          tags=["open data"], auth=PUBLIC, produces="text/csv",
          response={"type": "string", "description": "360Giving CSV: the standard's column titles, UTF-8, "
                                                     "one row per grant, all grants in one file."},
          params=[SINCE], description=DESCRIPTION)
def open_data_grants_csv(query):
    return Response(open_data.streamed(open_data.stream_csv, since=_since(query)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="grants-360giving.csv"'})
