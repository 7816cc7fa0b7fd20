"""Applications, screenings, decisions, grants and tranches of the caller's committees in the JSON API,
and the finance system's released tranches.

Every endpoint is a thin door onto the same permission helpers and services as the staff pages
(grants.views): an object of another committee is not found (404), an action the caller's role on
that committee does not allow is forbidden (403), a refused rule is 422 and a stale write 409."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eligibility import permissions as eligibility_permissions
from eligibility import services as eligibility_services
from eligibility.models import Screening, ScreeningResult
from grants import payments, permissions, services
from grants.models import (Application, ApplicationStatus, DecisionOutcome, Grant, GrantStatus, MilestoneKind,
                           Programme, Tranche, TrancheStatus)
from portal import clock
from portal.api.core import (DATE, DATETIME, ID, MAX_ID, MONEY, ApiError, Param, api_user, endpoint, iso, not_found,
                             nullable, page_of, paginated)
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.models import Role

STAFF = (Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
TAGS = ["committee staff"]

# --- schemas ------------------------------------------------------------------------------------

def text(max_length: int) -> dict:
    """A free text in a body or query: bounded, and without NUL (which PostgreSQL cannot store)."""
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}


USER_REF = {"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
ORGANISATION_REF = {"type": "object", "required": ["id", "name", "org_number", "status"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                   "org_number": {"type": "string"}, "status": {"type": "string"}}}
PROGRAMME_REF = {"type": "object", "required": ["id", "title", "action_area"],
                 "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                "action_area": {"type": "string"}}}
SCREENING_SUMMARY = {
    "type": "object", "required": ["id", "outcome", "run_at", "trigger", "rule_set_version"],
    "properties": {"id": {"type": "integer"}, "outcome": {"type": "string"}, "run_at": DATETIME,
                   "trigger": {"type": "string"}, "rule_set_version": {"type": "integer"}},
}
REVIEW = {
    "type": "object", "required": ["id", "reviewer", "has_conflict", "recommendation", "submitted_at", "scores"],
    "properties": {
        "id": {"type": "integer"}, "reviewer": USER_REF, "has_conflict": {"type": ["boolean", "null"]},
        "recommendation": {"type": ["string", "null"]}, "comment": {"type": "string"},
        "submitted_at": nullable(DATETIME),
        "scores": {"type": "array", "items": {
            "type": "object", "required": ["criterion_id", "criterion", "weight", "score"],
            "properties": {"criterion_id": {"type": "integer"}, "criterion": {"type": "string"},
                           "weight": {"type": "integer"}, "score": {"type": "integer"},
                           "comment": {"type": "string"}}}},
    },
}
APPLICATION = {
    "type": "object",
    "required": ["id", "reference", "title", "status", "version", "organisation", "programme", "committee",
                 "requested_amount", "weighted_score", "reviews", "latest_screening"],
    "properties": {
        "id": {"type": "integer"}, "reference": {"type": ["string", "null"]}, "title": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in ApplicationStatus]},
        "version": {"type": "integer", "description": "Send it back as `version` when deciding (optimistic locking)."},
        "organisation": ORGANISATION_REF, "programme": PROGRAMME_REF, "committee": COMMITTEE_REF,
        "method": {"type": "string"}, "target_group": {"type": "string"},
        "requested_amount": MONEY, "period_start": nullable(DATE), "period_end": nullable(DATE),
        "submitted_at": nullable(DATETIME),
        "weighted_score": {"type": ["number", "null"],
                           "description": "Mean of the submitted reviews' scores (0-5) weighted by the criteria."},
        "reviews": {"type": "array", "items": REVIEW},
        "latest_screening": nullable(SCREENING_SUMMARY),
    },
}
BUDGET_LINE = {"type": "object", "required": ["category", "amount", "own_funding", "other_funding"],
               "properties": {"category": {"type": "string"}, "description": {"type": "string"}, "amount": MONEY,
                              "own_funding": MONEY, "other_funding": MONEY}}
APPLICATION_DETAIL = {
    **APPLICATION,
    "required": APPLICATION["required"] + ["aims", "activities", "budget_lines", "valid_screening_id",
                                           "plan_problems", "decided"],
    "properties": {
        **APPLICATION["properties"],
        "aims": {"type": "string"}, "activities": {"type": "string"}, "partners": {"type": "string"},
        "expected_participants": {"type": "object"},
        "budget_lines": {"type": "array", "items": BUDGET_LINE},
        "valid_screening_id": {"type": ["integer", "null"],
                               "description": "The eligible screening within its validity an approval would rely on."},
        "plan_problems": {"type": "array", "items": {"type": "string"},
                          "description": "Why the follow-up plan is not complete yet (empty: complete)."},
        "decided": {"type": "boolean"},
    },
}
SCREENING_RESULT = {
    "type": "object", "required": ["id", "rule_id", "requirement", "outcome", "effective_outcome", "evidence"],
    "properties": {"id": {"type": "integer"}, "rule_id": {"type": "string"}, "requirement": {"type": "string"},
                   "outcome": {"type": "string"}, "effective_outcome": {"type": "string"},
                   "evidence": {"type": "object"}, "resolved_outcome": {"type": ["string", "null"]},
                   "resolution_reason": {"type": ["string", "null"]}, "resolved_at": nullable(DATETIME)},
}
SCREENING = {
    **SCREENING_SUMMARY,
    "required": SCREENING_SUMMARY["required"] + ["organisation_id", "application_id", "results"],
    "properties": {**SCREENING_SUMMARY["properties"], "organisation_id": {"type": "integer"},
                   "application_id": {"type": ["integer", "null"]},
                   "validity_days": {"type": "integer"},
                   "results": {"type": "array", "items": SCREENING_RESULT}},
}
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
TRANCHE = {
    "type": "object", "required": ["id", "grant_id", "due_on", "amount", "condition", "status"],
    "properties": {
        "id": {"type": "integer"}, "grant_id": {"type": "integer"}, "due_on": DATE, "amount": MONEY,
        "condition": {"type": "string", "enum": ["none", "milestone_approved"]},
        "condition_milestone_id": {"type": ["integer", "null"]},
        "status": {"type": "string", "enum": [s.value for s in TrancheStatus]},
        "released_at": nullable(DATETIME), "paid_at": nullable(DATETIME), "cancelled_at": nullable(DATETIME),
    },
}
GRANT = {
    "type": "object",
    "required": ["id", "application_id", "reference", "title", "organisation", "committee", "programme_id", "amount",
                 "paid", "period_start", "period_end", "status", "tranches"],
    "properties": {
        "id": {"type": "integer"}, "application_id": {"type": "integer"}, "reference": {"type": ["string", "null"]},
        "title": {"type": "string"}, "organisation": ORGANISATION_REF, "committee": COMMITTEE_REF,
        "programme_id": {"type": "integer"}, "amount": MONEY, "paid": MONEY, "period_start": DATE,
        "period_end": DATE, "status": {"type": "string", "enum": [s.value for s in GrantStatus]},
        "created_at": DATETIME, "ended_at": nullable(DATETIME), "end_reason": {"type": ["string", "null"]},
        "tranches": {"type": "array", "items": TRANCHE},
    },
}
PAYABLE_TRANCHE = {
    **TRANCHE,
    "required": TRANCHE["required"] + ["organisation", "committee", "payment_account_type", "payment_account",
                                       "grant_reference"],
    "properties": {**TRANCHE["properties"], "organisation": ORGANISATION_REF, "committee": COMMITTEE_REF,
                   "grant_reference": {"type": ["string", "null"]},
                   "payment_account_type": {"type": ["string", "null"], "description": "bankgiro or plusgiro."},
                   "payment_account": {"type": ["string", "null"]}},
}
EMPTY_BODY = {"type": "object", "additionalProperties": False, "properties": {},
              "description": "Send an empty JSON object: {}."}
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


# --- serialisers --------------------------------------------------------------------------------

def user_ref(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def organisation_ref(org) -> dict:
    return {"id": org.id, "name": org.name, "org_number": org.org_number, "status": org.status}


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def screening_summary(screening: Screening | None) -> dict | None:
    if screening is None:
        return None
    return {"id": screening.id, "outcome": screening.outcome, "run_at": iso(screening.run_at),
            "trigger": screening.trigger, "rule_set_version": screening.rule_set.version}


def screening_json(screening: Screening) -> dict:
    return {**screening_summary(screening), "organisation_id": screening.organisation_id,
            "application_id": screening.application_id, "validity_days": screening.rule_set.validity_days,
            "results": [{"id": r.id, "rule_id": r.rule_id, "requirement": r.requirement, "outcome": r.outcome,
                         "effective_outcome": r.effective_outcome, "evidence": r.evidence or {},
                         "resolved_outcome": r.resolved_outcome, "resolution_reason": r.resolution_reason,
                         "resolved_at": iso(r.resolved_at)} for r in screening.results]}


def review_json(review, criteria: dict) -> dict:
    return {"id": review.id, "reviewer": user_ref(review.reviewer), "has_conflict": review.has_conflict,
            "recommendation": review.recommendation, "comment": review.comment or "",
            "submitted_at": iso(review.submitted_at),
            "scores": [{"criterion_id": s.criterion_id, "criterion": criteria[s.criterion_id].name if s.criterion_id
                        in criteria else "", "weight": criteria[s.criterion_id].weight if s.criterion_id in criteria
                        else 0, "score": s.score, "comment": s.comment or ""} for s in review.scores]}


def application_json(application: Application, latest: Screening | None) -> dict:
    programme = application.programme
    criteria = {c.id: c for c in programme.criteria}
    return {"id": application.id, "reference": application.reference, "title": application.title,
            "status": application.status, "version": application.version,
            "organisation": organisation_ref(application.organisation),
            "programme": {"id": programme.id, "title": programme.title, "action_area": programme.action_area},
            "committee": committee_ref(programme.committee), "method": application.method,
            "target_group": application.target_group, "requested_amount": application.requested_amount,
            "period_start": _date(application.period_start), "period_end": _date(application.period_end),
            "submitted_at": iso(application.submitted_at),
            "weighted_score": _number(services.weighted_score(application)),
            "reviews": [review_json(r, criteria) for r in sorted(application.reviews, key=lambda r: r.id)],
            "latest_screening": screening_summary(latest)}


def plan_json(plan, period_end, max_days: int) -> dict:
    return {"responsible_officer": user_ref(plan.responsible_officer),
            "indicators": [{"id": i.id, "objective": i.objective, "name": i.name, "unit": i.unit,
                            "baseline": _number(i.baseline) or 0.0, "target": _number(i.target),
                            "by_gender": i.by_gender}
                           for i in plan.indicators],
            "milestones": [milestone_json(m) for m in plan.milestones],
            "evaluation_points": [{"id": e.id, "due_on": e.due_on.isoformat(), "description": e.description or ""}
                                  for e in plan.evaluation_points],
            "problems": [str(p) for p in services.plan_problems(plan, period_end, max_days)]}


def milestone_json(m) -> dict:
    return {"id": m.id, "kind": m.kind, "due_on": m.due_on.isoformat(), "report_approved_at": iso(m.report_approved_at)}


def decision_json(decision, grant_id: int | None) -> dict:
    return {"id": decision.id, "application_id": decision.application_id, "outcome": decision.outcome,
            "amount": decision.amount, "conditions": decision.conditions or "", "reasons": decision.reasons,
            "appeal_info": decision.appeal_info or "", "decided_at": iso(decision.decided_at),
            "decided_by": user_ref(decision.decided_by), "screening_id": decision.screening_id, "grant_id": grant_id}


def tranche_json(t: Tranche) -> dict:
    return {"id": t.id, "grant_id": t.grant_id, "due_on": t.due_on.isoformat(), "amount": t.amount,
            "condition": t.condition, "condition_milestone_id": t.condition_milestone_id, "status": t.status,
            "released_at": iso(t.released_at), "paid_at": iso(t.paid_at), "cancelled_at": iso(t.cancelled_at)}


def grant_json(grant: Grant) -> dict:
    return {"id": grant.id, "application_id": grant.application_id, "reference": grant.application.reference,
            "title": grant.application.title, "organisation": organisation_ref(grant.organisation),
            "committee": committee_ref(grant.committee), "programme_id": grant.programme_id, "amount": grant.amount,
            "paid": sum(t.amount for t in grant.tranches if t.status == TrancheStatus.PAID.value),
            "period_start": grant.period_start.isoformat(), "period_end": grant.period_end.isoformat(),
            "status": grant.status, "created_at": iso(grant.created_at), "ended_at": iso(grant.ended_at),
            "end_reason": grant.end_reason, "tranches": [tranche_json(t) for t in grant.tranches]}


def payable_tranche_json(t: Tranche) -> dict:
    grant = t.grant
    return {**tranche_json(t), "organisation": organisation_ref(grant.organisation),
            "committee": committee_ref(grant.committee), "grant_reference": grant.application.reference,
            "payment_account_type": grant.organisation.payment_account_type,
            "payment_account": grant.organisation.payment_account}


# --- loading and access -------------------------------------------------------------------------

def _max_days() -> int:
    return current_app.config["FINAL_REPORT_MAX_DAYS_AFTER_END"]


def _parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ApiError(400, f"{field}: not a date (YYYY-MM-DD)", {field: "not a date (YYYY-MM-DD)"}) from None


def _forbid(allowed: bool, message: str) -> None:
    if not allowed:
        raise ApiError(403, message)


def load_staff_application(application_id: int) -> Application:
    """As the staff pages: the programme's committee staff and coordinators see submitted work;
    anyone else (another committee's staff) gets 404, and drafts belong to the applicant."""
    application = db.session.get(Application, application_id)
    if (application is None or application.status == ApplicationStatus.DRAFT.value
            or not permissions.can_view_application_as_staff(api_user(), application)):
        raise not_found("No such application")
    return application


def _latest_screenings(application_ids: list[int]) -> dict[int, Screening]:
    """The newest screening of each application, in one query."""
    if not application_ids:
        return {}
    latest: dict[int, Screening] = {}
    for screening in db.session.scalars(select(Screening).where(Screening.application_id.in_(application_ids))
                                        .order_by(Screening.run_at.desc(), Screening.id.desc())):
        latest.setdefault(screening.application_id, screening)
    return latest


def _visible_committee_filter(stmt, committee_column):
    """Coordinators see every committee; officers and decision makers their own."""
    user = api_user()
    if user.is_coordinator:
        return stmt
    return stmt.where(committee_column.in_(staff_committee_ids(user) or {-1}))


# --- applications -------------------------------------------------------------------------------

@endpoint("GET", "/staff/applications", summary="Applications of your committees", tags=TAGS, auth=STAFF,
          response=page_of(APPLICATION), paginated=True,
          description="Submitted applications (never drafts) of the programmes of your committees; coordinators "
                      "see every committee. Each comes with its reviews' scores, the weighted score and a summary "
                      "of its latest screening.",
          params=[Param("programme", ID, "Programme id."), Param("committee", ID, "Committee id."),
                  Param("status", {"type": "string", "enum": [s.value for s in ApplicationStatus
                                                              if s != ApplicationStatus.DRAFT]}, "Status.")],
          example="?status=submitted&per_page=10")
def staff_applications(query):
    stmt = (select(Application).join(Programme, Application.programme_id == Programme.id)
            .where(Application.status != ApplicationStatus.DRAFT.value)
            .options(selectinload(Application.reviews))
            .order_by(Application.submitted_at.desc(), Application.id.desc()))
    stmt = _visible_committee_filter(stmt, Programme.committee_id)
    if query["programme"]:
        stmt = stmt.where(Application.programme_id == query["programme"])
    if query["committee"]:
        stmt = stmt.where(Programme.committee_id == query["committee"])
    if query["status"]:
        stmt = stmt.where(Application.status == query["status"])
    page = paginated(stmt, query, lambda a: a)
    latest = _latest_screenings([a.id for a in page["items"]])
    page["items"] = [application_json(a, latest.get(a.id)) for a in page["items"]]
    return page


@endpoint("GET", "/staff/applications/{application_id}", summary="One application of your committees", tags=TAGS,
          auth=STAFF, response=APPLICATION_DETAIL,
          description="Not found (404) for an application of another committee, as for one that does not exist.")
def staff_application(application_id: int):
    application = load_staff_application(application_id)
    now = clock.now()
    valid = services.latest_valid_screening(db.session, application.id, now)
    return {**application_json(application, _latest_screenings([application.id]).get(application.id)),
            "aims": application.aims, "activities": application.activities, "partners": application.partners,
            "expected_participants": application.expected_participants or {},
            "budget_lines": [{"category": b.category, "description": b.description or "", "amount": b.amount,
                              "own_funding": b.own_funding, "other_funding": b.other_funding}
                             for b in application.budget_lines],
            "valid_screening_id": valid.id if valid else None,
            "plan_problems": [str(p) for p in services.plan_problems(application.plan, application.period_end,
                                                                     _max_days())],
            "decided": application.decision is not None}


# --- screenings ---------------------------------------------------------------------------------

@endpoint("GET", "/staff/applications/{application_id}/screenings", summary="Screenings of an application",
          tags=TAGS, auth=STAFF, response={"type": "array", "items": SCREENING},
          description="Every eligibility screening of the application, newest first, with each rule's outcome "
                      "and the evidence it read.")
def staff_application_screenings(application_id: int):
    application = load_staff_application(application_id)
    rows = db.session.scalars(select(Screening).where(Screening.application_id == application.id)
                              .order_by(Screening.run_at.desc(), Screening.id.desc())).all()
    return [screening_json(s) for s in rows]


@endpoint("POST", "/staff/applications/{application_id}/screenings", summary="Screen the application now",
          tags=TAGS, auth=(Role.OFFICER,), response=SCREENING, body=EMPTY_BODY, status=201, example="{}",
          description="Runs the current rule set over the organisation and the application, as the page's "
                      "\"screen now\". Officers of the programme's committee only.")
def staff_screen_application(application_id: int, body):
    application = load_staff_application(application_id)
    _forbid(permissions.can_handle_application(api_user(), application),
            "Only officers of the programme's committee may screen its applications")
    screening = services.run_screening(db.session, application, by=api_user(), now=clock.now())
    return screening_json(screening)


RESOLVE_BODY = {
    "type": "object", "additionalProperties": False, "required": ["outcome", "reason"],
    "properties": {"outcome": {"type": "string", "enum": ["pass", "fail"]},
                   "reason": {**text(10_000), "description": "Why: the written reason of your assessment."}},
}


@endpoint("POST", "/staff/applications/{application_id}/screenings/{screening_id}/results/{result_id}/resolve",
          summary="Assess a rule that needs assessment", tags=TAGS, auth=STAFF, response=SCREENING,
          body=RESOLVE_BODY, example='{"outcome": "pass", "reason": "Stadgarna föreskriver årsmöte."}',
          description="As the screening page: a person answers a rule the engine could not decide with pass or "
                      "fail and a reason, and the screening's outcome is recomputed. Officers of the programme's "
                      "committee, its decision makers and coordinators (eligibility.permissions.can_resolve). "
                      "409 if the rule is already resolved; 422 for a rule that did not need assessment or "
                      "without a reason.")
def staff_resolve_screening_result(application_id: int, screening_id: int, result_id: int, body):
    application = load_staff_application(application_id)
    screening = db.session.get(Screening, screening_id)
    result = db.session.get(ScreeningResult, result_id)
    if (screening is None or screening.application_id != application.id or result is None
            or result.screening_id != screening.id):
        raise not_found("No such screening result")
    _forbid(eligibility_permissions.can_resolve(api_user(), screening, application),
            "Your roles do not allow assessing this screening")
    eligibility_services.resolve_result(db.session, result, outcome=body["outcome"], reason=body["reason"],
                                        by=api_user(), now=clock.now())
    return screening_json(screening)


# --- follow-up plan and decision ----------------------------------------------------------------

@endpoint("GET", "/staff/applications/{application_id}/plan", summary="The follow-up plan of an application",
          tags=TAGS, auth=STAFF, response=PLAN,
          description="The uppföljningsplan with what it still lacks (problems); 404 while there is none.")
def staff_application_plan(application_id: int):
    application = load_staff_application(application_id)
    if application.plan is None:
        raise not_found("The application has no follow-up plan yet")
    return plan_json(application.plan, application.period_end, _max_days())


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
    _forbid(permissions.can_handle_application(api_user(), application),
            "Only officers of the programme's committee may prepare its follow-up plans")
    indicators = [services.IndicatorInput(
        i["objective"].strip(), i["name"].strip(), i["unit"].strip(),
        Decimal(str(i.get("baseline", 0))).quantize(Decimal("0.01")),
        Decimal(str(i["target"])).quantize(Decimal("0.01")), bool(i.get("by_gender", False)))
        for i in body["indicators"]]
    milestones = [services.MilestoneInput(m["kind"], _parse_date(m["due_on"], "milestones"))
                  for m in body["milestones"]]
    evaluations = [_parse_date(d, "evaluation_dates") for d in body["evaluation_dates"]]
    plan = services.save_plan(db.session, application, responsible_officer_id=body["responsible_officer_id"],
                              indicators=indicators, milestones=milestones, evaluation_dates=evaluations,
                              by=api_user(), now=clock.now())
    db.session.refresh(plan)
    return plan_json(plan, application.period_end, _max_days())


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
    _forbid(permissions.can_decide(api_user(), application),
            "Only decision makers of the programme's committee may decide its applications")
    tranches = [services.TrancheInput(
        _parse_date(t["due_on"], "tranches"), t["amount"], t.get("condition", "none"),
        t.get("milestone_id") if t.get("condition", "none") != "none" else None) for t in body.get("tranches", [])]
    decision = services.decide(db.session, application, outcome=body["outcome"], amount=body.get("amount"),
                               reasons=body["reasons"], conditions=body.get("conditions", ""),
                               tranches=tranches or None, expected_version=body["version"], by=api_user(),
                               now=clock.now(), final_report_max_days=_max_days())
    grant_id = db.session.scalar(select(Grant.id).where(Grant.application_id == application.id))
    return decision_json(decision, grant_id)


# --- grants and tranches ------------------------------------------------------------------------

@endpoint("GET", "/staff/grants", summary="Grants of your committees, with their tranches", tags=TAGS, auth=STAFF,
          response=page_of(GRANT), paginated=True,
          description="Coordinators see every committee's grants.",
          params=[Param("committee", ID, "Committee id."), Param("programme", ID, "Programme id."),
                  Param("organisation", ID, "Organisation id."),
                  Param("status", {"type": "string", "enum": [s.value for s in GrantStatus]}, "Status.")],
          example="?status=active")
def staff_grants(query):
    stmt = select(Grant).order_by(Grant.created_at.desc(), Grant.id.desc())
    stmt = _visible_committee_filter(stmt, Grant.committee_id)
    for name, column in (("committee", Grant.committee_id), ("programme", Grant.programme_id),
                         ("organisation", Grant.organisation_id), ("status", Grant.status)):
        if query[name]:
            stmt = stmt.where(column == query[name])
    return paginated(stmt, query, grant_json)


def _load_grant(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    user = api_user()
    if grant is None or not (permissions.is_staff_of(user, grant.committee_id) or user.is_coordinator):
        raise not_found("No such grant")
    return grant


@endpoint("GET", "/staff/grants/{grant_id}", summary="One grant of your committees, with its tranches", tags=TAGS,
          auth=STAFF, response=GRANT)
def staff_grant(grant_id: int):
    return grant_json(_load_grant(grant_id))


# --- the finance system -------------------------------------------------------------------------

FINANCE_TAGS = ["finance"]


@endpoint("GET", "/tranches/awaiting-payment", summary="Released tranches awaiting payment", tags=FINANCE_TAGS,
          auth=(Role.OFFICER,), response=page_of(PAYABLE_TRANCHE), paginated=True,
          description="For the finance system: the released, unpaid tranches of the committees where the token's "
                      "user is an officer (the role that handles a committee's payments), oldest due first, with "
                      "the organisation's payment account. A tranche of a barred organisation is listed with its "
                      "organisation's status, and marking it paid is refused.",
          params=[Param("committee", ID, "Committee id.")], example="?per_page=100")
def tranches_awaiting_payment(query):
    ids = api_user().committee_ids(Role.OFFICER)
    stmt = (select(Tranche).join(Grant, Tranche.grant_id == Grant.id)
            .where(Tranche.status == TrancheStatus.RELEASED.value, Grant.committee_id.in_(ids or {-1}))
            .options(selectinload(Tranche.grant))
            .order_by(Tranche.due_on, Tranche.id))
    if query["committee"]:
        stmt = stmt.where(Grant.committee_id == query["committee"])
    return paginated(stmt, query, payable_tranche_json)


@endpoint("POST", "/tranches/{tranche_id}/paid", summary="Mark a released tranche paid", tags=FINANCE_TAGS,
          auth=(Role.OFFICER,), response=PAYABLE_TRANCHE, body=EMPTY_BODY, example="{}",
          description="As the grant page's \"mark paid\", audited as tranche.paid. Officers of the granting "
                      "committee only (404 for another committee's tranche). Marking a tranche that is already "
                      "paid is a 409 (nothing changes); a tranche that is not released, or whose organisation "
                      "is barred, is refused with 422.")
def tranche_paid(tranche_id: int, body):
    # Locked for the rest of the transaction (PostgreSQL), so two calls at once cannot both pay it.
    tranche = db.session.get(Tranche, tranche_id, with_for_update=True)
    user = api_user()
    if tranche is None or not permissions.is_staff_of(user, tranche.grant.committee_id):
        raise not_found("No such tranche")
    _forbid(permissions.can_manage_grant(user, tranche.grant),
            "Only officers of the granting committee may handle its payments")
    payments.mark_tranche_paid(db.session, tranche, by=user, now=clock.now())
    return payable_tranche_json(tranche)
