"""Grantee reports of the caller's committees, experiences and the coordinator's dashboard figures
in the JSON API.

The same permission helpers and services as the monitoring and insight pages: reports of another
committee are not found (404); officers of the granting committee approve or return them; staff of
every committee search the experience bank; the dashboard's figures come from the same aggregate
queries (monitoring.insight.figures) and are for coordinators."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.api_staff import EMPTY_BODY, ORGANISATION_REF, organisation_ref, text
from grants.models import ActionArea, Grant
from monitoring import experiences as experience_services
from monitoring import reports as report_services
from monitoring.insight import figures
from monitoring.insight.permissions import can_view_dashboard
from monitoring.models import Experience, GranteeReport, Recommendation, ReportStatus
from monitoring.permissions import (can_curate_experiences, can_review_report, can_search_experiences,
                                    can_view_report)
from organisations.models import Organisation
from portal import clock
from portal.api.core import (DATE, DATETIME, ID, MONEY, ApiError, Param, api_user, endpoint, iso, not_found,
                             nullable, page_of, paginated)
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.models import Role

STAFF = (Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
GENDER_COUNTS = {"type": "object", "required": ["women", "men", "other"],
                 "properties": {g: {"type": "integer"} for g in ("women", "men", "other")}}

# --- grantee reports ----------------------------------------------------------------------------

REPORT = {
    "type": "object",
    "required": ["id", "grant", "milestone", "status", "activities", "participants", "participant_totals",
                 "spent_total", "indicator_values", "spending", "submitted_at", "reviewed_at", "officer_comment"],
    "properties": {
        "id": {"type": "integer"},
        "grant": {"type": "object", "required": ["id", "title", "organisation", "committee"],
                  "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                 "reference": {"type": ["string", "null"]}, "organisation": ORGANISATION_REF,
                                 "committee": COMMITTEE_REF}},
        "milestone": {"type": "object", "required": ["id", "kind", "due_on"],
                      "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "due_on": DATE}},
        "status": {"type": "string", "enum": [s.value for s in ReportStatus]},
        "activities": {"type": "string"},
        "participants": {"type": "object", "description": "Per gender, per age band: {\"women\": {\"0-17\": 4}}."},
        "participant_totals": GENDER_COUNTS, "spent_total": MONEY,
        "indicator_values": {"type": "array", "items": {
            "type": "object", "required": ["indicator_id", "value"],
            "properties": {"indicator_id": {"type": "integer"}, "value": {"type": "number"},
                           "women": {"type": ["number", "null"]}, "men": {"type": ["number", "null"]},
                           "other": {"type": ["number", "null"]}}}},
        "spending": {"type": "array", "items": {
            "type": "object", "required": ["category", "amount"],
            "properties": {"budget_line_id": {"type": ["integer", "null"]}, "category": {"type": "string"},
                           "amount": MONEY}}},
        "submitted_at": nullable(DATETIME), "reviewed_at": nullable(DATETIME), "officer_comment": {"type": "string"},
    },
}
RETURN_BODY = {"type": "object", "additionalProperties": False, "required": ["comment"],
               "properties": {"comment": {**text(10_000), "description": "What the organisation needs to complete."}}}


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def report_json(report: GranteeReport) -> dict:
    grant = report.grant
    return {
        "id": report.id,
        "grant": {"id": grant.id, "title": grant.application.title, "reference": grant.application.reference,
                  "organisation": organisation_ref(grant.organisation), "committee": committee_ref(grant.committee)},
        "milestone": {"id": report.milestone.id, "kind": report.milestone.kind,
                      "due_on": report.milestone.due_on.isoformat()},
        "status": report.status, "activities": report.activities or "", "participants": report.participants or {},
        "participant_totals": {"women": report.participants_women or 0, "men": report.participants_men or 0,
                               "other": report.participants_other or 0},
        "spent_total": report.spent_total or 0,
        "indicator_values": [{"indicator_id": v.indicator_id, "value": _number(v.value),
                              "women": _number(v.value_women), "men": _number(v.value_men),
                              "other": _number(v.value_other)} for v in report.indicator_values],
        "spending": [{"budget_line_id": s.budget_line_id, "category": s.category, "amount": s.amount}
                     for s in report.spending],
        "submitted_at": iso(report.submitted_at), "reviewed_at": iso(report.reviewed_at),
        "officer_comment": report.officer_comment or "",
    }


@endpoint("GET", "/staff/reports", summary="Grantee reports of your committees", tags=["committee staff"],
          auth=STAFF, response=page_of(REPORT), paginated=True,
          description="Reports (redovisningar) of the grants of your committees, newest first; coordinators see "
                      "every committee's. Drafts the organisation has not submitted are included only when asked "
                      "for with status=draft.",
          params=[Param("status", {"type": "string", "enum": [s.value for s in ReportStatus]}, "Status."),
                  Param("committee", ID, "Committee id."), Param("grant", ID, "Grant id.")],
          example="?status=submitted")
def staff_reports(query):
    user = api_user()
    stmt = (select(GranteeReport).join(Grant, GranteeReport.grant_id == Grant.id)
            .options(joinedload(GranteeReport.grant))
            .order_by(GranteeReport.submitted_at.desc(), GranteeReport.id.desc()))
    if not user.is_coordinator:
        stmt = stmt.where(Grant.committee_id.in_(staff_committee_ids(user) or {-1}))
    if query["status"]:
        stmt = stmt.where(GranteeReport.status == query["status"])
    else:
        stmt = stmt.where(GranteeReport.status != ReportStatus.DRAFT.value)
    if query["committee"]:
        stmt = stmt.where(Grant.committee_id == query["committee"])
    if query["grant"]:
        stmt = stmt.where(GranteeReport.grant_id == query["grant"])
    return paginated(stmt, query, report_json)


def _load_report(report_id: int) -> GranteeReport:
    """Staff of the granting committee and coordinators, as the report page; anyone else 404."""
    user = api_user()
    report = db.session.get(GranteeReport, report_id)
    if report is None or not (user.is_staff and can_view_report(user, report.grant)):
        raise not_found("No such report")
    return report


def _require_review(report: GranteeReport) -> None:
    if not can_review_report(api_user(), report.grant):
        raise ApiError(403, "Only officers of the granting committee approve or return its reports")


@endpoint("GET", "/staff/reports/{report_id}", summary="One grantee report", tags=["committee staff"], auth=STAFF,
          response=REPORT)
def staff_report(report_id: int):
    return report_json(_load_report(report_id))


@endpoint("POST", "/staff/reports/{report_id}/approve", summary="Approve a submitted report",
          tags=["committee staff"], auth=(Role.OFFICER,), response=REPORT, body=EMPTY_BODY, example="{}",
          description="As the report page: the milestone is approved (tranches waiting for it may be released) "
                      "and the organisation is told. Officers of the granting committee only; 422 unless the "
                      "report is submitted.")
def staff_approve_report(report_id: int, body):
    report = _load_report(report_id)
    _require_review(report)
    report_services.approve_report(db.session, report, by=api_user(), now=clock.now())
    return report_json(report)


@endpoint("POST", "/staff/reports/{report_id}/return", summary="Return a submitted report with a comment",
          tags=["committee staff"], auth=(Role.OFFICER,), response=REPORT, body=RETURN_BODY,
          example='{"comment": "Ange antalet deltagare per kön."}',
          description="The organisation corrects the report and submits it again. 422 without a comment or "
                      "unless the report is submitted.")
def staff_return_report(report_id: int, body):
    report = _load_report(report_id)
    _require_review(report)
    report_services.return_report(db.session, report, body["comment"], by=api_user(), now=clock.now())
    return report_json(report)


# --- experience bank ----------------------------------------------------------------------------

EXPERIENCE = {
    "type": "object",
    "required": ["id", "title", "summary", "lessons", "action_area", "target_group", "method", "district",
                 "committee", "organisation", "published", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "summary": {"type": "string"},
        "what_worked": {"type": "string"}, "what_did_not": {"type": "string"}, "lessons": {"type": "string"},
        "recommendation": {"type": ["string", "null"], "enum": [r.value for r in Recommendation] + [None]},
        "rating": {"type": ["integer", "null"]},
        "action_area": {"type": "string"}, "target_group": {"type": "string"}, "method": {"type": "string"},
        "district": {"type": "string"}, "committee": COMMITTEE_REF,
        "organisation": {"type": ["object", "null"], "required": ["id", "name"],
                         "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                         "description": "Named only when the organisation agreed."},
        "published": {"type": "boolean"}, "created_at": DATETIME,
    },
}
TEXT = text(200)


def experience_json(e: Experience, organisations: dict[int, str]) -> dict:
    named = e.organisation_named and e.organisation_id in organisations
    return {"id": e.id, "title": e.title, "summary": e.summary, "what_worked": e.what_worked or "",
            "what_did_not": e.what_did_not or "", "lessons": e.lessons or "", "recommendation": e.recommendation,
            "rating": e.rating, "action_area": e.action_area, "target_group": e.target_group or "",
            "method": e.method or "", "district": e.district or "", "committee": committee_ref(e.committee),
            "organisation": {"id": e.organisation_id, "name": organisations[e.organisation_id]} if named else None,
            "published": e.published, "created_at": iso(e.created_at)}


def _named_organisations(experiences: list[Experience]) -> dict[int, str]:
    ids = {e.organisation_id for e in experiences if e.organisation_named and e.organisation_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def _require_search() -> None:
    if not can_search_experiences(api_user()):
        raise ApiError(403, "The experience bank is for committee staff and coordinators")


@endpoint("GET", "/experiences", summary="Search the experience bank", tags=["coordinator", "committee staff"],
          auth=STAFF, response=page_of(EXPERIENCE), paginated=True,
          description="Lessons shared by the committees, searchable by staff of every committee. Filters as on "
                      "the experience bank page; coordinators may include unpublished experiences.",
          params=[Param("q", TEXT, "Words in the texts."),
                  Param("action_area", {"type": "string", "enum": [a.value for a in ActionArea]}, "Action area."),
                  Param("target_group", TEXT, "Part of the target group."),
                  Param("method", TEXT, "Part of the method."),
                  Param("district", text(100), "Part of the district."),
                  Param("committee", ID, "Committee id."),
                  Param("unpublished", {"type": "integer", "enum": [0, 1], "default": 0},
                        "1: include unpublished experiences (coordinators).")],
          example="?action_area=targeted&method=mentorskap")
def list_experiences(query):
    _require_search()
    stmt = experience_services.search_statement(
        q=query["q"] or "", action_area=query["action_area"] or "", target_group=query["target_group"] or "",
        method=query["method"] or "", district=query["district"] or "", committee_id=query["committee"],
        include_unpublished=bool(query["unpublished"]) and can_curate_experiences(api_user()))
    page = paginated(stmt, query, lambda e: e)
    names = _named_organisations(page["items"])
    page["items"] = [experience_json(e, names) for e in page["items"]]
    return page


@endpoint("GET", "/experiences/{experience_id}", summary="One experience", tags=["coordinator", "committee staff"],
          auth=STAFF, response=EXPERIENCE, description="An unpublished experience is found by coordinators only.")
def get_experience(experience_id: int):
    _require_search()
    experience = db.session.get(Experience, experience_id)
    if experience is None or (not experience.published and not can_curate_experiences(api_user())):
        raise not_found("No such experience")
    return experience_json(experience, _named_organisations([experience]))


# --- dashboard figures --------------------------------------------------------------------------

def _rows(schema_props: dict) -> dict:
    return {"type": "array", "items": {"type": "object", "required": list(schema_props), "properties": schema_props}}


MONEY_ROW = {"key": {"type": "string"}, "grants": {"type": "integer"}, "granted": MONEY, "paid": MONEY,
             "withdrawn": {"type": "integer"}, "withdrawn_amount": MONEY}
EVALUATION_ROW = {"key": {"type": "string"}, "evaluations": {"type": "integer"},
                  "attainment": {"type": ["number", "null"], "description": "Mean share of targets reached."},
                  "rating": {"type": ["number", "null"], "description": "Mean rating 1-5."}}
DASHBOARD = {
    "type": "object",
    "required": ["filters", "money", "statuses", "reports", "participants", "evaluations", "ratings",
                 "partnerships", "overlaps"],
    "properties": {
        "filters": {"type": "object", "properties": {
            "year": {"type": ["integer", "null"]}, "committee": {"type": ["integer", "null"]},
            "action_area": {"type": ["string", "null"]}, "district": {"type": ["string", "null"]}}},
        "money": {"type": "object", "required": ["by_committee", "by_area", "by_district"],
                  "properties": {"by_committee": _rows(MONEY_ROW), "by_area": _rows(MONEY_ROW),
                                 "by_district": _rows(MONEY_ROW)},
                  "description": "Grants, granted and paid öre per group. A grant counts in every district where "
                                 "its organisation works."},
        "statuses": {"type": "object", "properties": {s: {"type": "integer"} for s in ("active", "completed",
                                                                                        "withdrawn")}},
        "reports": {"type": "object",
                    "properties": {c: {"type": "integer"} for c in figures.REPORT_CATEGORIES}},
        "participants": GENDER_COUNTS,
        "evaluations": {"type": "object", "required": ["by_area", "by_committee"],
                        "properties": {"by_area": _rows(EVALUATION_ROW), "by_committee": _rows(EVALUATION_ROW)}},
        "ratings": _rows({"rating": {"type": "integer"}, "evaluations": {"type": "integer"}}),
        "partnerships": _rows({"organisation_id": {"type": "integer"}, "organisation": {"type": "string"},
                               "committees": {"type": "array", "items": {"type": "string"}}}),
        "overlaps": _rows({"committees": {"type": "array", "items": {"type": "string"}},
                           "organisations": {"type": "integer"}}),
    },
}


def _money_rows(rows: list[dict]) -> list[dict]:
    return [{**{k: v for k, v in r.items() if k != "key"}, "key": r["key"][0]} for r in rows]


def _evaluation_rows(rows: list[dict]) -> list[dict]:
    return [{"key": r["key"][0], "evaluations": r["evaluations"], "attainment": _number(r["attainment"]),
             "rating": _number(r["rating"])} for r in rows]


@endpoint("GET", "/dashboard", summary="The coordinator's dashboard figures", tags=["coordinator"],
          auth=(Role.COORDINATOR,), response=DASHBOARD,
          description="The same figures as the dashboard page, from the same aggregate queries. A grant belongs "
                      "to a year when its period overlaps it; money is in öre; participants come from approved "
                      "reports.",
          params=[Param("year", {"type": "integer", "minimum": 1900, "maximum": 2200}, "Year."),
                  Param("committee", ID, "Committee id."),
                  Param("action_area", {"type": "string", "enum": [a.value for a in ActionArea]}, "Action area."),
                  Param("district", text(100), "District (whole name).")],
          example="?year=2026&action_area=targeted")
def dashboard(query):
    if not can_view_dashboard(api_user()):
        raise ApiError(403, "The dashboard is for coordinators")
    f = figures.Filters(year=query["year"], committee_id=query["committee"], action_area=query["action_area"],
                        district=query["district"] or None)
    session = db.session
    return {
        "filters": {"year": f.year, "committee": f.committee_id, "action_area": f.action_area,
                    "district": f.district},
        "money": {"by_committee": _money_rows(figures.money(session, f, "committee")),
                  "by_area": _money_rows(figures.money(session, f, "area")),
                  "by_district": _money_rows(figures.money(session, f, "district"))},
        "statuses": figures.statuses(session, f),
        "reports": figures.report_timeliness(session, f, clock.today()),
        "participants": {k: v for k, v in figures.participants(session, f)[0].items() if k != "key"},
        "evaluations": {"by_area": _evaluation_rows(figures.evaluations(session, f, "area")),
                        "by_committee": _evaluation_rows(figures.evaluations(session, f, "committee"))},
        "ratings": [{"rating": r, "evaluations": n} for r, n in figures.ratings(session, f).items()],
        "partnerships": [{"organisation_id": p["id"], "organisation": p["organisation"],
                          "committees": p["committees"]} for p in figures.partnerships(session, f)],
        "overlaps": [{"committees": list(o["key"]), "organisations": o["organisations"]}
                     for o in figures.overlaps(session, f)],
    }
