"""Applications of the caller's committees in the JSON API: the list, one application with its reviews,
and its eligibility screenings (run one, assess a rule that needs a person)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eligibility import permissions as eligibility_permissions
from eligibility import services as eligibility_services
from eligibility.models import Screening, ScreeningResult
from grants import permissions, services
from grants.api_staff.common import (EMPTY_BODY, ORGANISATION_REF, STAFF, TAGS, USER_REF, as_float,
                                     final_report_max_days, forbid, load_staff_application, organisation_ref, text,
                                     user_ref, visible_committee_filter)
from grants.models import Application, ApplicationStatus, Programme
from portal import clock
from portal.api.core import (DATE, DATETIME, ID, MONEY, Param, api_user, endpoint, iso, not_found, nullable, page_of,
                             paginated)
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.extensions import db

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


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


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
            "weighted_score": as_float(services.weighted_score(application)),
            "reviews": [review_json(r, criteria) for r in sorted(application.reviews, key=lambda r: r.id)],
            "latest_screening": screening_summary(latest)}


def _latest_screenings(application_ids: list[int]) -> dict[int, Screening]:
    """The newest screening of each application, in one query."""
    if not application_ids:
        return {}
    latest: dict[int, Screening] = {}
    for screening in db.session.scalars(select(Screening).where(Screening.application_id.in_(application_ids))
                                        .order_by(Screening.run_at.desc(), Screening.id.desc())):
        latest.setdefault(screening.application_id, screening)
    return latest


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
    stmt = visible_committee_filter(stmt, Programme.committee_id)
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
                                                                     final_report_max_days())],
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
          tags=TAGS, auth=STAFF, response=SCREENING, body=EMPTY_BODY, status=201, example="{}",
          description="Runs the current rule set over the organisation and the application, as the page's "
                      "\"screen now\". Officers and decision makers of the programme's committee, and "
                      "coordinators (eligibility.permissions.can_screen_application).")
def staff_screen_application(application_id: int, body):
    application = load_staff_application(application_id)
    forbid(eligibility_permissions.can_screen_application(api_user(), application),
           "Your roles do not allow screening this application")
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
                      "committee, its decision makers and coordinators "
                      "(eligibility.permissions.can_resolve_screening). "
                      "409 if the rule is already resolved; 422 for a rule that did not need assessment or "
                      "without a reason.")
def staff_resolve_screening_result(application_id: int, screening_id: int, result_id: int, body):
    application = load_staff_application(application_id)
    screening = db.session.get(Screening, screening_id)
    result = db.session.get(ScreeningResult, result_id)
    if (screening is None or screening.application_id != application.id or result is None
            or result.screening_id != screening.id):
        raise not_found("No such screening result")
    forbid(eligibility_permissions.can_resolve_screening(api_user(), screening, application),
           "Your roles do not allow assessing this screening")
    eligibility_services.resolve_result(db.session, result, outcome=body["outcome"], reason=body["reason"],
                                        by=api_user(), now=clock.now())
    return screening_json(screening)
