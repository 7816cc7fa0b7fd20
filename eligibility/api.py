"""Findings and withdrawal cases in the JSON API, for coordinators.

As on the pages: a finding's details (category, who acted, source, evidence) are for coordinators
only; the reporter and the staff of the reporting committee see its status. Withdrawal cases are
the coordinators' (eligibility.permissions)."""
from __future__ import annotations

from sqlalchemy import or_, select

from eligibility import permissions
from eligibility.models import (CaseStatus, Finding, FindingActor, FindingCategory, FindingSource, FindingStatus,
                                WithdrawalCase)
from portal import clock
from portal.api.core import (DATE, DATETIME, ID, ApiError, Param, api_user, endpoint, iso, not_found, nullable,
                             page_of, paginated)
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.models import Role

TAGS = ["coordinator"]
ORGANISATION_REF = {"type": "object", "required": ["id", "name", "status"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                   "status": {"type": "string"}}}
USER_REF = {"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
FINDING_DETAILS = {
    "type": "object",
    "required": ["category", "actor_kind", "actor_name", "source_category", "evidence", "conduct_on", "reported_by"],
    "properties": {
        "category": {"type": "string", "enum": [c.value for c in FindingCategory]},
        "actor_kind": {"type": "string", "enum": [a.value for a in FindingActor]},
        "actor_name": {"type": "string"},
        "source_category": {"type": "string", "enum": [s.value for s in FindingSource]},
        "evidence": {"type": "string"}, "conduct_on": DATE, "reported_by": USER_REF,
        "assessment_reason": {"type": ["string", "null"]}, "withdrawal_case_id": {"type": ["integer", "null"]},
    },
}
FINDING = {
    "type": "object", "required": ["id", "organisation", "status", "created_at", "reporting_committee", "details"],
    "properties": {
        "id": {"type": "integer"}, "organisation": ORGANISATION_REF,
        "status": {"type": "string", "enum": [s.value for s in FindingStatus]},
        "created_at": DATETIME, "assessed_at": nullable(DATETIME), "reporting_committee": nullable(COMMITTEE_REF),
        "details": {**FINDING_DETAILS, "type": ["object", "null"],
                    "description": "Confidential: only for coordinators (null for everyone else)."},
    },
}
CASE = {
    "type": "object",
    "required": ["id", "organisation", "finding_id", "status", "grounds", "conduct_on", "opened_at",
                 "reply_deadline", "deadline_passed"],
    "properties": {
        "id": {"type": "integer"}, "organisation": ORGANISATION_REF, "finding_id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in CaseStatus]}, "grounds": {"type": "string"},
        "conduct_on": DATE, "opened_at": DATETIME, "reply_deadline": DATETIME,
        "deadline_passed": {"type": "boolean", "description": "Whether a coordinator may decide now."},
        "reply_text": {"type": ["string", "null"]}, "replied_at": nullable(DATETIME),
        "decided_at": nullable(DATETIME), "decision_reason": {"type": ["string", "null"]},
        "reinstated_at": nullable(DATETIME), "reinstatement_reason": {"type": ["string", "null"]},
    },
}


def organisation_ref(org) -> dict:
    return {"id": org.id, "name": org.name, "status": org.status}


def finding_json(finding: Finding, case_id: int | None, with_details: bool) -> dict:
    details = None
    if with_details:
        details = {"category": finding.category, "actor_kind": finding.actor_kind,
                   "actor_name": finding.actor_name or "", "source_category": finding.source_category,
                   "evidence": finding.evidence, "conduct_on": finding.conduct_on.isoformat(),
                   "reported_by": {"id": finding.reported_by.id, "name": finding.reported_by.name},
                   "assessment_reason": finding.assessment_reason, "withdrawal_case_id": case_id}
    return {"id": finding.id, "organisation": organisation_ref(finding.organisation), "status": finding.status,
            "created_at": iso(finding.created_at), "assessed_at": iso(finding.assessed_at),
            "reporting_committee": committee_ref(finding.reporting_committee), "details": details}


def _case_ids(finding_ids: list[int]) -> dict[int, int]:
    if not finding_ids:
        return {}
    return dict(db.session.execute(select(WithdrawalCase.finding_id, WithdrawalCase.id)
                                   .where(WithdrawalCase.finding_id.in_(finding_ids))).all())


@endpoint("GET", "/findings", summary="Findings (iakttagelser): details for coordinators, status for reporters",
          tags=TAGS, auth=(Role.COORDINATOR, Role.OFFICER, Role.DECISION_MAKER), response=page_of(FINDING),
          paginated=True,
          description="Coordinators see every finding with its confidential details. Officers and decision makers "
                      "see the findings they reported or their committee reported, with the status only.",
          params=[Param("status", {"type": "string", "enum": [s.value for s in FindingStatus]}, "Status."),
                  Param("organisation", ID, "Organisation id.")],
          example="?status=reported")
def list_findings(query):
    user = api_user()
    stmt = select(Finding).order_by(Finding.created_at.desc(), Finding.id.desc())
    if not user.is_coordinator:
        # The list form of permissions.can_see_finding_status.
        stmt = stmt.where(or_(Finding.reported_by_id == user.id,
                              Finding.reporting_committee_id.in_(staff_committee_ids(user) or {-1})))
    if query["status"]:
        stmt = stmt.where(Finding.status == query["status"])
    if query["organisation"]:
        stmt = stmt.where(Finding.organisation_id == query["organisation"])
    page = paginated(stmt, query, lambda f: f)
    details = permissions.can_see_finding_details(user)
    cases = _case_ids([f.id for f in page["items"]]) if details else {}
    page["items"] = [finding_json(f, cases.get(f.id), details) for f in page["items"]]
    return page


@endpoint("GET", "/findings/{finding_id}", summary="One finding", tags=TAGS,
          auth=(Role.COORDINATOR, Role.OFFICER, Role.DECISION_MAKER), response=FINDING,
          description="404 for a finding you may not see; details only for coordinators.")
def get_finding(finding_id: int):
    user = api_user()
    finding = db.session.get(Finding, finding_id)
    if finding is None or not permissions.can_see_finding_status(user, finding):
        raise not_found("No such finding")
    details = permissions.can_see_finding_details(user, finding)
    return finding_json(finding, _case_ids([finding.id]).get(finding.id) if details else None, details)


def case_json(case: WithdrawalCase) -> dict:
    return {"id": case.id, "organisation": organisation_ref(case.organisation), "finding_id": case.finding_id,
            "status": case.status, "grounds": case.grounds, "conduct_on": case.conduct_on.isoformat(),
            "opened_at": iso(case.opened_at), "reply_deadline": iso(case.reply_deadline),
            "deadline_passed": case.reply_period_over(clock.now()), "reply_text": case.reply_text,
            "replied_at": iso(case.replied_at), "decided_at": iso(case.decided_at),
            "decision_reason": case.decision_reason, "reinstated_at": iso(case.reinstated_at),
            "reinstatement_reason": case.reinstatement_reason}


def _require_cases() -> None:
    if not permissions.can_decide_case(api_user()):
        raise ApiError(403, "Only coordinators handle withdrawal cases")


@endpoint("GET", "/withdrawal-cases", summary="Withdrawal cases (indragning)", tags=TAGS, auth=(Role.COORDINATOR,),
          response=page_of(CASE), paginated=True, description="Newest first.",
          params=[Param("status", {"type": "string", "enum": [s.value for s in CaseStatus]}, "Status."),
                  Param("organisation", ID, "Organisation id.")],
          example="?status=open")
def list_cases(query):
    _require_cases()
    stmt = select(WithdrawalCase).order_by(WithdrawalCase.opened_at.desc(), WithdrawalCase.id.desc())
    if query["status"]:
        stmt = stmt.where(WithdrawalCase.status == query["status"])
    if query["organisation"]:
        stmt = stmt.where(WithdrawalCase.organisation_id == query["organisation"])
    return paginated(stmt, query, case_json)


@endpoint("GET", "/withdrawal-cases/{case_id}", summary="One withdrawal case", tags=TAGS, auth=(Role.COORDINATOR,),
          response=CASE)
def get_case(case_id: int):
    _require_cases()
    case = db.session.get(WithdrawalCase, case_id)
    if case is None:
        raise not_found("No such withdrawal case")
    return case_json(case)
