"""The decision (beslut) on an application in the JSON API: read it, decide."""
from __future__ import annotations

from sqlalchemy import select

from grants import permissions, services
from grants.api_staff.common import (STAFF, TAGS, USER_REF, final_report_max_days, forbid, load_staff_application,
                                     parse_date, text, user_ref)
from grants.models import DecisionOutcome, Grant
from portal import clock
from portal.api.core import DATE, DATETIME, ID, MAX_ID, MONEY, api_user, endpoint, iso, not_found
from portal.extensions import db
from portal.models import Role

DECISION = {
    "type": "object",
    "required": ["id", "application_id", "outcome", "amount", "reasons", "decided_at", "decided_by", "grant_id"],
    "properties": {
        "id": {"type": "integer"}, "application_id": {"type": "integer"},
        "outcome": {"type": "string", "enum": [o.value for o in DecisionOutcome]}, "amount": MONEY,
        "conditions": {"type": "string"}, "reasons": {"type": "string"}, "appeal_info": {"type": "string"},
        "decided_at": DATETIME, "decided_by": USER_REF, "screening_id": {"type": ["integer", "null"]},
        "grant_id": {"type": ["integer", "null"]},
    },
}


AMOUNT = {"type": "integer", "minimum": 0, "maximum": 10**13, "description": "Amount in öre (1/100 krona)."}
DECISION_BODY = {
    "type": "object", "additionalProperties": False, "required": ["version", "outcome", "reasons"],
    "properties": {
        "version": {"type": "integer", "minimum": 0, "maximum": MAX_ID,
                    "description": "The application's version as you read it; 409 if it changed since."},
        "outcome": {"type": "string", "enum": [o.value for o in DecisionOutcome]},
        "amount": {**AMOUNT, "description": "Öre. Needed for partly_approve; approve grants the requested amount."},
        "reasons": text(10_000),
        "conditions": text(10_000),
        "tranches": {"type": "array", "maxItems": 24, "items": {
            "type": "object", "additionalProperties": False, "required": ["due_on", "amount"],
            "properties": {"due_on": DATE, "amount": AMOUNT,
                           "condition": {"type": "string", "enum": ["none", "milestone_approved"], "default": "none"},
                           "milestone_id": {**ID, "description": "The plan's milestone a conditional tranche "
                                                                 "waits for."}}},
            "description": "Payment tranches adding up to the amount; by default one tranche at the period's start."},
    },
}


def decision_json(decision, grant_id: int | None) -> dict:
    return {"id": decision.id, "application_id": decision.application_id, "outcome": decision.outcome,
            "amount": decision.amount, "conditions": decision.conditions or "", "reasons": decision.reasons,
            "appeal_info": decision.appeal_info or "", "decided_at": iso(decision.decided_at),
            "decided_by": user_ref(decision.decided_by), "screening_id": decision.screening_id, "grant_id": grant_id}


@endpoint("GET", "/staff/applications/{application_id}/decision", summary="The decision on an application",
          tags=TAGS, auth=STAFF, response=DECISION, description="404 while the application is not decided.")
def staff_application_decision(application_id: int):
    application = load_staff_application(application_id)
    if application.decision is None:
        raise not_found("The application is not decided")
    grant_id = db.session.scalar(select(Grant.id).where(Grant.application_id == application.id))
    return decision_json(application.decision, grant_id)


@endpoint("POST", "/staff/applications/{application_id}/decision", summary="Decide on an application", tags=TAGS,
          auth=(Role.DECISION_MAKER,), response=DECISION, body=DECISION_BODY, status=201,
          description="As the decide page: approve, partly approve or reject, with reasons, conditions and the "
                      "payment tranches (a tranche may wait for a milestone of the follow-up plan). Decision makers "
                      "of the programme's committee only. Send the `version` you read: 409 if someone changed or "
                      "decided the application since. 422 when a rule refuses: the follow-up plan is incomplete, "
                      "no eligible screening within its validity, the organisation is barred, or the amount is "
                      "over the maximum, the request or the programme's remaining budget.",
          example='{"version": 3, "outcome": "approve", "reasons": "Uppfyller kriterierna väl.", '
                  '"tranches": [{"due_on": "2026-04-01", "amount": 2000000}, {"due_on": "2026-09-01", '
                  '"amount": 2000000, "condition": "milestone_approved", "milestone_id": 7}]}')
def staff_decide(application_id: int, body):
    application = load_staff_application(application_id)
    forbid(permissions.can_decide(api_user(), application),
           "Only decision makers of the programme's committee may decide its applications")
    tranches = [services.TrancheInput(
        parse_date(t["due_on"], "tranches"), t["amount"], t.get("condition", "none"),
        t.get("milestone_id") if t.get("condition", "none") != "none" else None) for t in body.get("tranches", [])]
    decision = services.decide(db.session, application, outcome=body["outcome"], amount=body.get("amount"),
                               reasons=body["reasons"], conditions=body.get("conditions", ""),
                               tranches=tranches or None, expected_version=body["version"], by=api_user(),
                               now=clock.now(), final_report_max_days=final_report_max_days())
    grant_id = db.session.scalar(select(Grant.id).where(Grant.application_id == application.id))
    return decision_json(decision, grant_id)
