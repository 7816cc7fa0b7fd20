"""The follow-up plan (uppföljningsplan) of an application in the JSON API: read it, prepare it."""
from __future__ import annotations

from decimal import Decimal

from grants import permissions, services
from grants.api_staff.common import (STAFF, TAGS, USER_REF, as_float, final_report_max_days, forbid,
                                     load_staff_application, parse_date, text, user_ref)
from grants.models import MilestoneKind
from portal import clock
from portal.api.core import DATE, DATETIME, ID, api_user, endpoint, iso, not_found, nullable
from portal.extensions import db
from portal.numbers import NUMERIC_14_2, bounded_decimal, json_decimal
from portal.models import Role

MILESTONE = {"type": "object", "required": ["id", "kind", "due_on"],
             "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "due_on": DATE,
                            "report_approved_at": nullable(DATETIME)}}
PLAN = {
    "type": "object", "required": ["responsible_officer", "indicators", "milestones", "evaluation_points", "problems"],
    "properties": {
        "responsible_officer": nullable(USER_REF),
        "indicators": {"type": "array", "items": {
            "type": "object", "required": ["id", "objective", "name", "unit", "baseline", "target", "by_gender"],
            "properties": {"id": {"type": "integer"}, "objective": {"type": "string"}, "name": {"type": "string"},
                           "unit": {"type": "string"}, "baseline": {"type": "number"}, "target": {"type": "number"},
                           "by_gender": {"type": "boolean"}}}},
        "milestones": {"type": "array", "items": MILESTONE},
        "evaluation_points": {"type": "array", "items": {
            "type": "object", "required": ["id", "due_on"],
            "properties": {"id": {"type": "integer"}, "due_on": DATE, "description": {"type": "string"}}}},
        "problems": {"type": "array", "items": {"type": "string"}},
    },
}


NUMBER = {"type": "number", "minimum": -999_999_999_999, "maximum": 999_999_999_999}  # Numeric(14, 2)
PLAN_BODY = {
    "type": "object", "additionalProperties": False,
    "required": ["responsible_officer_id", "indicators", "milestones", "evaluation_dates"],
    "properties": {
        "responsible_officer_id": {**ID, "type": ["integer", "null"]},
        "indicators": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["objective", "name", "unit", "target"],
            "properties": {"objective": text(5000), "name": text(200), "unit": text(50), "baseline": NUMBER,
                           "target": NUMBER,
                           "by_gender": {"type": "boolean", "default": False}}}},
        "milestones": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["kind", "due_on"],
            "properties": {"kind": {"type": "string", "enum": [k.value for k in MilestoneKind]}, "due_on": DATE}}},
        "evaluation_dates": {"type": "array", "maxItems": 50, "items": DATE},
    },
}


def plan_json(plan, period_end, max_days: int) -> dict:
    return {"responsible_officer": user_ref(plan.responsible_officer),
            "indicators": [{"id": i.id, "objective": i.objective, "name": i.name, "unit": i.unit,
                            "baseline": as_float(i.baseline) or 0.0, "target": as_float(i.target),
                            "by_gender": i.by_gender}
                           for i in plan.indicators],
            "milestones": [milestone_json(m) for m in plan.milestones],
            "evaluation_points": [{"id": e.id, "due_on": e.due_on.isoformat(), "description": e.description or ""}
                                  for e in plan.evaluation_points],
            "problems": [str(p) for p in services.plan_problems(plan, period_end, max_days)]}


def milestone_json(m) -> dict:
    return {"id": m.id, "kind": m.kind, "due_on": m.due_on.isoformat(), "report_approved_at": iso(m.report_approved_at)}


@endpoint("GET", "/staff/applications/{application_id}/plan", summary="The follow-up plan of an application",
          tags=TAGS, auth=STAFF, response=PLAN,
          description="The uppföljningsplan with what it still lacks (problems); 404 while there is none.")
def staff_application_plan(application_id: int):
    application = load_staff_application(application_id)
    if application.plan is None:
        raise not_found("The application has no follow-up plan yet")
    return plan_json(application.plan, application.period_end, final_report_max_days())


def _indicator_number(value, name: str) -> Decimal:
    """Baselines and targets go to Numeric(14, 2): finite, below 10^12, rounded to hundredths."""
    number = json_decimal(value, NUMERIC_14_2, None, f"indicators.{name}").quantize(Decimal("0.01"))
    return bounded_decimal(number, NUMERIC_14_2, 2, f"indicators.{name}")


@endpoint("PUT", "/staff/applications/{application_id}/plan", summary="Prepare the follow-up plan", tags=TAGS,
          auth=(Role.OFFICER,), response=PLAN, body=PLAN_BODY,
          description="Replaces the plan (indicators, report milestones, evaluation dates, responsible officer), "
                      "as the plan page. It may be saved incomplete; an approval needs it complete. Officers of "
                      "the programme's committee, before the decision.",
          example='{"responsible_officer_id": 12, "indicators": [{"objective": "Fler unga fullföljer", '
                  '"name": "Deltagare", "unit": "personer", "baseline": 0, "target": 20, "by_gender": true}], '
                  '"milestones": [{"kind": "final", "due_on": "2027-01-31"}], "evaluation_dates": ["2027-03-01"]}')
def staff_save_plan(application_id: int, body):
    application = load_staff_application(application_id)
    forbid(permissions.can_handle_application(api_user(), application),
           "Only officers of the programme's committee may prepare its follow-up plans")
    indicators = [services.IndicatorInput(
        i["objective"].strip(), i["name"].strip(), i["unit"].strip(),
        _indicator_number(i.get("baseline", 0), "baseline"), _indicator_number(i["target"], "target"),
        bool(i.get("by_gender", False)))
        for i in body["indicators"]]
    milestones = [services.MilestoneInput(m["kind"], parse_date(m["due_on"], "milestones"))
                  for m in body["milestones"]]
    evaluations = [parse_date(d, "evaluation_dates") for d in body["evaluation_dates"]]
    plan = services.save_plan(db.session, application, responsible_officer_id=body["responsible_officer_id"],
                              indicators=indicators, milestones=milestones, evaluation_dates=evaluations,
                              by=api_user(), now=clock.now())
    db.session.refresh(plan)
    return plan_json(plan, application.period_end, final_report_max_days())
