"""Applications, grants, plans and deadlines for the applicant's own organisations in the JSON API.

The same services as the applicant's pages: start_application, save_step (one call per step whose
fields the body holds, so each writes the page's audit event), submit_application (which screens the
application and mails the receipt). Reads under /my/... list only the caller's own organisations'
objects; another organisation's object is 404, as if it did not exist, and committee staff who see an
application in their own work get 403 for applicant writes, as on the pages."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from grants import permissions, services
from grants.models import (ActionArea, Application, ApplicationStatus, Grant, GrantStatus, MilestoneKind, Programme,
                           TrancheStatus)
from organisations.models import Organisation
from organisations.permissions import can_view_organisation, represented_organisation_ids
from portal import clock
from portal.api.core import (ANY_USER, DATE, DATETIME, ID, MONEY, ApiError, Param, api_user, endpoint, iso,
                             not_found, nullable, page_of, paginated)
from portal.errors import Conflict
from portal.extensions import db

REF = {"type": "object", "required": ["id", "name"],
       "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
PROGRAMME_REF = {"type": "object", "required": ["id", "title"],
                 "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                "action_area": {"type": "string", "enum": [a.value for a in ActionArea]},
                                "closes_on": DATE}}
STATUS = {"type": "string", "enum": [s.value for s in ApplicationStatus]}
COUNT = {"type": "integer", "minimum": 0, "maximum": 1_000_000}
AMOUNT = {"type": "integer", "minimum": 0, "maximum": 10**12, "description": "Amount in öre (1/100 krona)."}
PARTICIPANTS_OUT = {"type": "object", "additionalProperties": {"type": "object",
                                                               "additionalProperties": {"type": "integer"}}}
PARTICIPANTS_IN = {
    "type": "object", "additionalProperties": False,
    "description": "Expected participants by gender and age band; replaces the whole table.",
    "properties": {g: {"type": "object", "additionalProperties": False,
                       "properties": {band: COUNT for band in services.AGE_BANDS}} for g in services.GENDERS},
}
BUDGET_LINE = {"type": "object", "required": ["category", "amount"],
               "properties": {"category": {"type": "string"}, "description": {"type": "string"}, "amount": MONEY,
                              "own_funding": MONEY, "other_funding": MONEY}}
BUDGET_LINE_IN = {
    "type": "object", "additionalProperties": False, "required": ["category", "amount"],
    "properties": {"category": {"type": "string", "minLength": 1, "maxLength": 100},
                   "description": {"type": "string", "maxLength": 300},
                   "amount": AMOUNT, "own_funding": AMOUNT, "other_funding": AMOUNT},
}
APPLICATION_SUMMARY = {
    "type": "object",
    "required": ["id", "reference", "status", "version", "title", "organisation", "programme", "requested_amount",
                 "created_at", "updated_at", "submitted_at"],
    "properties": {
        "id": {"type": "integer"}, "reference": {"type": ["string", "null"]}, "status": STATUS,
        "version": {"type": "integer", "description": "Send it back with a change (optimistic locking)."},
        "title": {"type": "string"}, "organisation": REF, "programme": PROGRAMME_REF, "requested_amount": MONEY,
        "created_at": DATETIME, "updated_at": DATETIME, "submitted_at": nullable(DATETIME),
    },
}
APPLICATION = {
    **APPLICATION_SUMMARY,
    "required": APPLICATION_SUMMARY["required"] + ["aims", "activities", "method", "target_group",
                                                   "expected_participants", "period_start", "period_end",
                                                   "budget_lines", "totals", "partners", "missing", "receipt"],
    "properties": {
        **APPLICATION_SUMMARY["properties"],
        "aims": {"type": "string"}, "activities": {"type": "string"}, "method": {"type": "string"},
        "target_group": {"type": "string"}, "expected_participants": PARTICIPANTS_OUT,
        "period_start": nullable(DATE), "period_end": nullable(DATE),
        "budget_lines": {"type": "array", "items": BUDGET_LINE},
        "totals": {"type": "object", "required": ["total", "own", "other", "gap"],
                   "properties": {k: {"type": "integer"} for k in ("total", "own", "other", "gap")}},
        "partners": {"type": "string"},
        "missing": {"type": "array", "items": {"type": "string"},
                    "description": "What is still missing before the application can be submitted."},
        "return_message": {"type": ["string", "null"]},
        "receipt": nullable({"type": "object", "required": ["reference", "submitted_at"],
                             "description": "Given once the application is submitted.",
                             "properties": {"reference": {"type": "string"}, "submitted_at": DATETIME}}),
    },
}
NEW_APPLICATION = {"type": "object", "additionalProperties": False, "required": ["programme_id", "organisation_id"],
                   "properties": {"programme_id": ID, "organisation_id": ID}}
TEXT_LIMITS = {"title": 200, "aims": 20_000, "activities": 20_000, "method": 200, "target_group": 200,
               "partners": 20_000}
APPLICATION_CHANGE = {
    "type": "object", "additionalProperties": False, "required": ["version"],
    "properties": {
        "version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                    "description": "The version you read; 409 if the application changed since."},
        **{name: {"type": "string", "maxLength": limit} for name, limit in TEXT_LIMITS.items()},
        "expected_participants": PARTICIPANTS_IN,
        "period_start": DATE, "period_end": DATE,
        "budget_lines": {"type": "array", "maxItems": 50, "items": BUDGET_LINE_IN,
                         "description": "Replaces every budget line."},
        "requested_amount": AMOUNT,
    },
}
# The draft's steps, as on the application pages; a step is saved when the body holds one of its fields.
STEP_FIELDS = {1: ("title",), 2: ("aims", "activities", "method", "target_group"), 3: ("expected_participants",),
               4: ("period_start", "period_end", "budget_lines", "requested_amount"), 5: ("partners",)}

INDICATOR = {"type": "object", "required": ["id", "objective", "name", "unit", "baseline", "target", "by_gender"],
             "properties": {"id": {"type": "integer"}, "objective": {"type": "string"}, "name": {"type": "string"},
                            "unit": {"type": "string"}, "baseline": {"type": "string"}, "target": {"type": "string"},
                            "by_gender": {"type": "boolean"}}}
MILESTONE = {"type": "object", "required": ["id", "kind", "due_on", "report_approved_at"],
             "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in MilestoneKind]},
                            "due_on": DATE, "report_approved_at": nullable(DATETIME)}}
TRANCHE = {"type": "object", "required": ["id", "due_on", "amount", "status", "condition"],
           "properties": {"id": {"type": "integer"}, "due_on": DATE, "amount": MONEY,
                          "status": {"type": "string", "enum": [s.value for s in TrancheStatus]},
                          "condition": {"type": "string"}, "condition_milestone_id": {"type": ["integer", "null"]}}}
GRANT_SUMMARY = {
    "type": "object",
    "required": ["id", "status", "amount", "period_start", "period_end", "organisation", "committee", "application"],
    "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": [s.value for s in GrantStatus]},
                   "amount": MONEY, "period_start": DATE, "period_end": DATE, "organisation": REF, "committee": REF,
                   "application": {"type": "object", "required": ["id", "reference", "title"],
                                   "properties": {"id": {"type": "integer"},
                                                  "reference": {"type": ["string", "null"]},
                                                  "title": {"type": "string"}}}},
}
GRANT = {
    **GRANT_SUMMARY,
    "required": GRANT_SUMMARY["required"] + ["decision", "plan", "tranches"],
    "properties": {
        **GRANT_SUMMARY["properties"],
        "decision": nullable({"type": "object", "required": ["outcome", "amount", "decided_at"],
                              "properties": {"outcome": {"type": "string"}, "amount": MONEY,
                                             "conditions": {"type": "string"}, "decided_at": DATETIME}}),
        "plan": nullable({"type": "object", "required": ["indicators", "milestones", "evaluation_points"],
                          "properties": {"indicators": {"type": "array", "items": INDICATOR},
                                         "milestones": {"type": "array", "items": MILESTONE},
                                         "evaluation_points": {"type": "array", "items": {
                                             "type": "object", "required": ["due_on"],
                                             "properties": {"due_on": DATE, "description": {"type": "string"}}}}}}),
        "tranches": {"type": "array", "items": TRANCHE},
    },
}


# --- serialising ------------------------------------------------------------------------------

def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def application_summary_json(a: Application) -> dict:
    return {"id": a.id, "reference": a.reference, "status": a.status, "version": a.version, "title": a.title,
            "organisation": {"id": a.organisation.id, "name": a.organisation.name},
            "programme": {"id": a.programme.id, "title": a.programme.title, "action_area": a.programme.action_area,
                          "closes_on": a.programme.closes_on.isoformat()},
            "requested_amount": a.requested_amount, "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
            "submitted_at": iso(a.submitted_at)}


def application_json(a: Application) -> dict:
    return {
        **application_summary_json(a),
        "aims": a.aims, "activities": a.activities, "method": a.method, "target_group": a.target_group,
        "expected_participants": a.expected_participants or {}, "period_start": _day(a.period_start),
        "period_end": _day(a.period_end),
        "budget_lines": [{"category": line.category, "description": line.description, "amount": line.amount,
                          "own_funding": line.own_funding, "other_funding": line.other_funding}
                         for line in a.budget_lines],
        "totals": services.budget_totals(a), "partners": a.partners,
        "missing": services.missing_parts(a) if a.status in services.EDITABLE_STATUSES else [],
        "return_message": a.return_message,
        "receipt": ({"reference": a.reference, "submitted_at": iso(a.submitted_at)}
                    if a.reference and a.submitted_at else None),
    }


def grant_summary_json(g: Grant) -> dict:
    return {"id": g.id, "status": g.status, "amount": g.amount, "period_start": g.period_start.isoformat(),
            "period_end": g.period_end.isoformat(), "organisation": {"id": g.organisation.id, "name": g.organisation.name},
            "committee": {"id": g.committee.id, "name": g.committee.name},
            "application": {"id": g.application.id, "reference": g.application.reference,
                            "title": g.application.title}}


def grant_json(g: Grant) -> dict:
    decision, plan = g.application.decision, g.application.plan
    return {
        **grant_summary_json(g),
        "decision": None if decision is None else {
            "outcome": decision.outcome, "amount": decision.amount, "conditions": decision.conditions,
            "decided_at": iso(decision.decided_at)},
        "plan": None if plan is None else {
            "indicators": [{"id": i.id, "objective": i.objective, "name": i.name, "unit": i.unit,
                            "baseline": str(i.baseline), "target": str(i.target), "by_gender": i.by_gender}
                           for i in plan.indicators],
            "milestones": [{"id": m.id, "kind": m.kind, "due_on": m.due_on.isoformat(),
                            "report_approved_at": iso(m.report_approved_at)} for m in plan.milestones],
            "evaluation_points": [{"due_on": p.due_on.isoformat(), "description": p.description}
                                  for p in plan.evaluation_points]},
        "tranches": [{"id": t.id, "due_on": t.due_on.isoformat(), "amount": t.amount, "status": t.status,
                      "condition": t.condition, "condition_milestone_id": t.condition_milestone_id}
                     for t in g.tranches],
    }


# --- loading and access -----------------------------------------------------------------------

def own_application(application_id: int) -> Application:
    """The caller's own organisation's application. Staff who see it in their committee's work get
    403 (as on the applicant pages); anyone else 404, as if it did not exist."""
    user = api_user()
    application = db.session.get(Application, application_id)
    if application is None:
        raise not_found("No such application")
    if not permissions.can_act_for_application(user, application):
        if permissions.can_view_application_as_staff(user, application):
            raise ApiError(403, "Only the organisation's representatives act on its application")
        raise not_found("No such application")
    return application


def _flushed(application: Application) -> dict:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed the application at the same time. Fetch it again.")) from None
    return application_json(application)


# --- applications -----------------------------------------------------------------------------

@endpoint("GET", "/my/applications", summary="Applications of the organisations you act for",
          tags=["applicant"], auth=ANY_USER, response=page_of(APPLICATION_SUMMARY), paginated=True,
          params=[Param("status", STATUS, "Only applications in this state."),
                  Param("organisation", ID, "Only this organisation's applications.")],
          example="?status=draft")
def my_applications(query):
    ids = represented_organisation_ids(api_user())
    stmt = (select(Application).where(Application.organisation_id.in_(ids or [-1]))
            .order_by(Application.updated_at.desc(), Application.id.desc()))
    if query["status"]:
        stmt = stmt.where(Application.status == query["status"])
    if query["organisation"]:
        stmt = stmt.where(Application.organisation_id == query["organisation"])
    return paginated(stmt, query, application_summary_json)


@endpoint("GET", "/my/applications/{application_id}", summary="One of your organisations' applications",
          tags=["applicant"], auth=ANY_USER, response=APPLICATION,
          description="With the receipt (reference and time) once it is submitted, and what is still missing "
                      "while it is a draft.")
def my_application(application_id: int):
    return application_json(own_application(application_id))


@endpoint("POST", "/applications", summary="Start an application draft to an open programme",
          tags=["applicant"], auth=ANY_USER, body=NEW_APPLICATION, response=APPLICATION, status=201,
          extra_statuses=(404,),
          description="For a representative of the organisation (403 otherwise; 404 for an organisation you "
                      "may not see). 422 if the programme is not open.",
          example='{"programme_id": 1, "organisation_id": 1}')
def applicant_create_application(body):
    user = api_user()
    organisation = db.session.get(Organisation, body["organisation_id"])
    if organisation is None or not can_view_organisation(user, organisation):
        raise not_found("No such organisation")
    programme = db.session.get(Programme, body["programme_id"])
    if programme is None:
        raise not_found("No such programme")
    application = services.start_application(db.session, programme=programme, organisation=organisation, by=user,
                                             now=clock.now())
    return _flushed(application)


def _step_values(application: Application, step: int, body: dict) -> dict:
    """The values of one step: the body's fields over the draft's current ones."""
    if step in (1, 2, 5):
        return {name: body.get(name, getattr(application, name)) for name in STEP_FIELDS[step]}
    if step == 3:
        return body["expected_participants"]
    if "budget_lines" in body:
        lines = [services.BudgetLineInput(category=line["category"], description=line.get("description", ""),
                                          amount=line["amount"], own_funding=line.get("own_funding", 0),
                                          other_funding=line.get("other_funding", 0)) for line in body["budget_lines"]]
    else:
        lines = [services.BudgetLineInput(category=line.category, description=line.description, amount=line.amount,
                                          own_funding=line.own_funding, other_funding=line.other_funding)
                 for line in application.budget_lines]
    start = date.fromisoformat(body["period_start"]) if "period_start" in body else application.period_start
    end = date.fromisoformat(body["period_end"]) if "period_end" in body else application.period_end
    return {"period_start": start, "period_end": end, "budget_lines": lines,
            "requested_amount": body.get("requested_amount", application.requested_amount)}


@endpoint("PATCH", "/applications/{application_id}", summary="Change a draft (or an application returned for "
                                                            "completion)",
          tags=["applicant"], auth=ANY_USER, body=APPLICATION_CHANGE, response=APPLICATION,
          description="Send the version you read: 409 if the application changed since. Only the fields you send "
                      "change; budget_lines and expected_participants replace the whole list or table. The same "
                      "checks as the application pages (422: period ends before it starts, requested amount over "
                      "the programme's maximum or the budget's gap, application already submitted).",
          example='{"version": 1, "title": "Samtalsgrupper för unga", "requested_amount": 1500000}')
def applicant_update_application(application_id: int, body):
    application = own_application(application_id)
    if body["version"] != application.version:
        raise Conflict(_("The application has changed since version %(old)s (it is now version %(new)s). Fetch it "
                         "again and make your change there.", old=body["version"], new=application.version),
                       field="version")
    user, now = api_user(), clock.now()
    for step, names in STEP_FIELDS.items():
        if any(name in body for name in names):
            services.save_step(db.session, application, step, _step_values(application, step, body), by=user,
                               now=now)
    return _flushed(application)


@endpoint("POST", "/applications/{application_id}/submit", summary="Submit the application",
          tags=["applicant"], auth=ANY_USER, response=APPLICATION,
          description="The same rules as the submit button: 422 with the reason if the programme is closed, the "
                      "democracy declaration is missing, expired or of an old version, the organisation is barred, "
                      "or a part is missing. A submitted application gets its reference (the receipt), is screened "
                      "against the eligibility rules, and the representatives get a receipt by e-mail.")
def applicant_submit_application(application_id: int):
    application = own_application(application_id)
    services.submit_application(db.session, application, by=api_user(), now=clock.now())
    return _flushed(application)


@endpoint("POST", "/applications/{application_id}/withdraw", summary="Withdraw the application",
          tags=["applicant"], auth=ANY_USER, response=APPLICATION,
          description="As on the application page: possible until the committee has decided (422 after).")
def applicant_withdraw_application(application_id: int):
    application = own_application(application_id)
    services.withdraw_application(db.session, application, by=api_user(), now=clock.now())
    return _flushed(application)


# --- grants -----------------------------------------------------------------------------------

@endpoint("GET", "/my/grants", summary="Grants of the organisations you act for", tags=["applicant"],
          auth=ANY_USER, response=page_of(GRANT_SUMMARY), paginated=True,
          params=[Param("status", {"type": "string", "enum": [s.value for s in GrantStatus]}, "Only this state.")])
def my_grants(query):
    ids = represented_organisation_ids(api_user())
    stmt = (select(Grant).where(Grant.organisation_id.in_(ids or [-1]))
            .order_by(Grant.created_at.desc(), Grant.id.desc()))
    if query["status"]:
        stmt = stmt.where(Grant.status == query["status"])
    return paginated(stmt, query, grant_summary_json)


@endpoint("GET", "/my/grants/{grant_id}", summary="One of your organisations' grants, with its follow-up plan and "
                                                 "payment tranches",
          tags=["applicant"], auth=ANY_USER, response=GRANT,
          description="The plan's milestones are the reports the organisation owes; see /my/deadlines for their "
                      "reports' state.")
def my_grant(grant_id: int):
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.organisation_id not in represented_organisation_ids(api_user()):
        raise not_found("No such grant")
    return grant_json(grant)
