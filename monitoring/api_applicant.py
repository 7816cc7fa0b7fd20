"""Grantee reports submitted by the applicant's own organisations in the JSON API, and their deadlines.

The same services as the deadlines page and the report page (monitoring.reports): the body is turned
into the same ReportInput the page reads from its form, so the same checks run and the same audit
event and e-mail to the responsible officer are written."""
from __future__ import annotations

from grants.models import Grant, MilestoneKind
from monitoring import reports as report_services
from monitoring.models import GranteeReport, ReportStatus
from monitoring.permissions import can_edit_report, can_view_report
from organisations.permissions import represented_organisation_ids
from portal import clock
from portal.api.core import (ANY_USER, DATE, DATETIME, ID, MAX_PER_PAGE, MONEY, ApiError, api_user, endpoint, iso,
                             not_found, nullable, page_of)
from portal.extensions import db

REPORT_STATUS = {"type": "string", "enum": [s.value for s in ReportStatus]}
COUNT = {"type": "integer", "minimum": 0, "maximum": 1_000_000}
MEASURE = {"type": "number", "minimum": 0, "maximum": 1_000_000_000}  # stored as Numeric(14, 2)
AMOUNT = {"type": "integer", "minimum": 0, "maximum": 10**12, "description": "Amount in öre (1/100 krona)."}

REPORT_IN = {
    "type": "object", "additionalProperties": False, "required": ["activities", "submit"],
    "properties": {
        "activities": {"type": "string", "maxLength": 20_000, "description": "What was done."},
        "participants": {"type": "object", "additionalProperties": False,
                         "description": "Participants by gender and age band.",
                         "properties": {g: {"type": "object", "additionalProperties": False,
                                            "properties": {band: COUNT for band in report_services.AGE_BANDS}}
                                        for g in report_services.GENDERS}},
        "indicators": {"type": "array", "maxItems": 100, "items": {
            "type": "object", "additionalProperties": False, "required": ["indicator_id"],
            "properties": {"indicator_id": ID, "value": MEASURE, "women": MEASURE, "men": MEASURE,
                           "other": MEASURE}}},
        "spending": {"type": "array", "maxItems": 100, "items": {
            "type": "object", "additionalProperties": False, "required": ["budget_line_id", "amount"],
            "properties": {"budget_line_id": ID, "amount": AMOUNT}}},
        "submit": {"type": "boolean", "description": "true: submit to the committee; false: save a draft."},
    },
}
REPORT = {
    "type": "object",
    "required": ["id", "grant_id", "milestone_id", "status", "activities", "participants", "indicators", "spending",
                 "spent_total", "submitted_at", "officer_comment"],
    "properties": {
        "id": {"type": "integer"}, "grant_id": {"type": "integer"}, "milestone_id": {"type": "integer"},
        "status": REPORT_STATUS, "activities": {"type": "string"},
        "participants": {"type": "object", "additionalProperties": {"type": "object",
                                                                   "additionalProperties": {"type": "integer"}}},
        "indicators": {"type": "array", "items": {
            "type": "object", "required": ["indicator_id", "value"],
            "properties": {"indicator_id": {"type": "integer"}, "value": {"type": "string"},
                           "women": {"type": ["string", "null"]}, "men": {"type": ["string", "null"]},
                           "other": {"type": ["string", "null"]}}}},
        "spending": {"type": "array", "items": {
            "type": "object", "required": ["budget_line_id", "category", "amount"],
            "properties": {"budget_line_id": {"type": ["integer", "null"]}, "category": {"type": "string"},
                           "amount": MONEY}}},
        "spent_total": MONEY, "submitted_at": nullable(DATETIME), "officer_comment": {"type": "string"},
    },
}
DEADLINE = {
    "type": "object", "required": ["grant", "milestone", "report", "overdue"],
    "properties": {
        "grant": {"type": "object", "required": ["id", "title", "organisation_id"],
                  "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                 "organisation_id": {"type": "integer"}}},
        "milestone": {"type": "object", "required": ["id", "kind", "due_on"],
                      "properties": {"id": {"type": "integer"},
                                     "kind": {"type": "string", "enum": [k.value for k in MilestoneKind]},
                                     "due_on": DATE}},
        "report": nullable({"type": "object", "required": ["id", "status"],
                            "properties": {"id": {"type": "integer"}, "status": REPORT_STATUS}}),
        "overdue": {"type": "boolean"},
    },
}


def _decimal(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def report_json(report: GranteeReport) -> dict:
    return {"id": report.id, "grant_id": report.grant_id, "milestone_id": report.milestone_id,
            "status": report.status, "activities": report.activities, "participants": report.participants or {},
            "indicators": [{"indicator_id": v.indicator_id, "value": _decimal(v.value), "women": _decimal(v.value_women),
                            "men": _decimal(v.value_men), "other": _decimal(v.value_other)}
                           for v in report.indicator_values],
            "spending": [{"budget_line_id": s.budget_line_id, "category": s.category, "amount": s.amount}
                         for s in report.spending],
            "spent_total": report.spent_total, "submitted_at": iso(report.submitted_at),
            "officer_comment": report.officer_comment}


@endpoint("GET", "/my/deadlines", summary="Report deadlines of the organisations you act for",
          tags=["applicant"], auth=ANY_USER, response=page_of(DEADLINE), paginated=True,
          description="Every report milestone of your organisations' active and completed grants, earliest first, "
                      "with its report's state; overdue when no report is handed in (submitted or approved) "
                      "by the due date.")
def my_deadlines(query):
    rows = report_services.deadlines_for_organisations(db.session, represented_organisation_ids(api_user()),
                                                       clock.today())
    page, per_page = query["page"], min(query["per_page"], MAX_PER_PAGE)
    chosen = rows[(page - 1) * per_page: page * per_page]
    return {"items": [{"grant": {"id": d.grant.id, "title": d.grant.application.title,
                                 "organisation_id": d.grant.organisation_id},
                       "milestone": {"id": d.milestone.id, "kind": d.milestone.kind,
                                     "due_on": d.milestone.due_on.isoformat()},
                       "report": None if d.report is None else {"id": d.report.id, "status": d.report.status},
                       "overdue": d.overdue} for d in chosen],
            "page": page, "per_page": per_page, "total": len(rows)}


def _input(body: dict) -> report_services.ReportInput:
    """The body as the report page's form would give it: measures as text, money as kronor text."""
    def text(value):
        return None if value is None else format(value, "f") if isinstance(value, float) else str(value)

    return report_services.ReportInput(
        activities=body["activities"], participants=body.get("participants", {}),
        indicators={item["indicator_id"]: {key: text(item.get(key)) for key in ("value", "women", "men", "other")}
                    for item in body.get("indicators", [])},
        spending={item["budget_line_id"]: f"{item['amount'] // 100},{item['amount'] % 100:02d}"
                  for item in body.get("spending", [])})


@endpoint("POST", "/grants/{grant_id}/milestones/{milestone_id}/report",
          summary="Save or submit the grantee report (redovisning) for a milestone", tags=["applicant"],
          auth=ANY_USER, body=REPORT_IN, response=REPORT,
          description="For the organisation's representatives, as on the report page: activities, participants by "
                      "gender and age band, each indicator's actual value (by gender where the plan counts it so), "
                      "money spent per budget line. With submit=true every indicator and the activities are "
                      "required (422 otherwise) and the responsible officer is told. A submitted or approved report "
                      "cannot change (422); a returned one can, and is submitted again. Staff of the committee get "
                      "403; others 404.",
          example='{"activities": "Tolv träffar", "participants": {"women": {"18-25": 7}}, '
                  '"indicators": [{"indicator_id": 1, "value": 12}], "spending": [], "submit": true}')
def submit_grantee_report(grant_id: int, milestone_id: int, body):
    user = api_user()
    grant = db.session.get(Grant, grant_id)
    if grant is None or not can_view_report(user, grant):
        raise not_found("No such grant")
    milestone = report_services.milestone_of_grant(db.session, grant, milestone_id)
    if milestone is None:
        raise not_found("No such milestone in the grant's follow-up plan")
    if not can_edit_report(user, grant):
        raise ApiError(403, "Only the organisation's representatives report on its grant")
    report = report_services.save_report(db.session, grant, milestone, _input(body), by=user, now=clock.now(),
                                         submit=body["submit"])
    db.session.flush()
    return report_json(report)
