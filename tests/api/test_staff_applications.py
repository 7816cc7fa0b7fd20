"""Committee staff in the API: applications of their committees, screenings, follow-up plans and
decisions, through the same permission helpers and services as the staff pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eligibility import screening as screening_engine
from eligibility.models import RuleOutcome, RuleSet
from grants import services
from grants.models import Application, Grant
from portal.models import AuditEvent
from tests.api.conftest import bearer


def test_officer_lists_the_applications_of_their_committee_with_scores_and_screening(client, staff, session, now):
    application = staff.submitted_application()
    review = services.assign_reviewer(session, application, reviewer=staff.officer, by=staff.officer, now=now)
    services.declare_conflict(session, review, has_conflict=False, reason="", by=staff.officer, now=now)
    first, second = staff.programme.criteria
    services.submit_review(session, review, scores={first.id: (4, "Bra"), second.id: (1, "")},
                           recommendation="approve", comment="Lovande", by=staff.officer, now=now)
    session.commit()
    # another committee's application stays out of the list
    other_programme = staff.grants.programme(staff.other_committee)
    other_org = staff.grants.organisation(representative=staff.applicant)
    other = staff.grants.filled_application(other_programme, other_org, staff.applicant)
    services.submit_application(session, other, by=staff.applicant, now=now)
    session.commit()

    body = client.get("/api/v1/staff/applications", headers=bearer(staff.officer_token)).json
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == application.id and item["status"] == "in_review"
    assert item["weighted_score"] == 3.0  # (4*2 + 1*1) / 3
    assert [s["score"] for s in item["reviews"][0]["scores"]] == [4, 1]
    assert item["latest_screening"]["outcome"] == "eligible"
    assert item["committee"]["id"] == staff.committee.id


def test_application_filters_by_status_programme_and_committee(client, staff):
    application = staff.submitted_application()
    token = bearer(staff.coordinator_token)

    def ids(query):
        return [a["id"] for a in client.get(f"/api/v1/staff/applications?{query}", headers=token).json["items"]]

    assert ids("status=submitted") == [application.id]
    assert ids("status=decided") == []
    assert ids(f"programme={staff.programme.id}") == [application.id]
    assert ids(f"committee={staff.other_committee.id}") == []
    assert client.get("/api/v1/staff/applications?status=draft", headers=token).status_code == 400


def test_drafts_are_not_shown_to_staff(client, staff):
    organisation = staff.grants.organisation(representative=staff.applicant)
    draft = staff.grants.filled_application(staff.programme, organisation, staff.applicant)
    assert client.get("/api/v1/staff/applications", headers=bearer(staff.officer_token)).json["total"] == 0
    assert client.get(f"/api/v1/staff/applications/{draft.id}",
                      headers=bearer(staff.officer_token)).status_code == 404


def test_one_application_for_its_committee_and_coordinators_but_404_for_another_committee(client, staff):
    application = staff.ready_for_decision()
    url = f"/api/v1/staff/applications/{application.id}"
    body = client.get(url, headers=bearer(staff.decider_token)).json
    assert body["plan_problems"] == [] and body["valid_screening_id"] == body["latest_screening"]["id"]
    assert body["budget_lines"][0]["amount"] == 50_000_00 and body["decided"] is False
    assert client.get(url, headers=bearer(staff.coordinator_token)).status_code == 200
    response = client.get(url, headers=bearer(staff.other_officer_token))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get(url, headers=bearer(staff.applicant_token)).status_code == 403


def test_application_list_queries_do_not_grow_with_the_data(client, staff, count_queries):
    staff.submitted_application()
    token = bearer(staff.officer_token)
    client.get("/api/v1/me", headers=token)
    with count_queries() as few:
        client.get("/api/v1/staff/applications", headers=token)
    for _ in range(4):
        staff.submitted_application()
    with count_queries() as many:
        assert client.get("/api/v1/staff/applications", headers=token).json["total"] == 5
    assert many.count == few.count


# --- screenings ---------------------------------------------------------------------------------

def test_officer_screens_an_application_now_and_it_is_audited(client, staff, session):
    application = staff.submitted_application()
    url = f"/api/v1/staff/applications/{application.id}/screenings"
    response = client.post(url, json={}, headers=bearer(staff.officer_token))
    assert response.status_code == 201
    screening_id = response.json["id"]
    assert response.json["outcome"] == "eligible" and response.json["application_id"] == application.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.performed",
                                                    AuditEvent.object_id == str(screening_id)))
    assert event is not None and event.actor_id == staff.officer.id
    listed = client.get(url, headers=bearer(staff.decider_token)).json
    assert [s["id"] for s in listed][0] == screening_id and len(listed) == 2  # and the one at submission


def test_only_staff_of_the_committee_may_screen(client, staff):
    """Its officers and decision makers (approval needs a fresh screening), as on the pages
    (eligibility.permissions.can_screen_application); other committees do not see the application."""
    application = staff.submitted_application()
    url = f"/api/v1/staff/applications/{application.id}/screenings"
    assert client.post(url, json={}, headers=bearer(staff.decider_token)).status_code == 201
    assert client.post(url, json={}, headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.post(url, json={}, headers=bearer(staff.applicant_token)).status_code == 403
    assert client.get(url, headers=bearer(staff.other_officer_token)).status_code == 404


# --- follow-up plan -----------------------------------------------------------------------------

PLAN = {"responsible_officer_id": None,
        "indicators": [{"objective": "Fler unga fullföljer", "name": "Deltagare", "unit": "personer",
                        "baseline": 0, "target": 20, "by_gender": True}],
        "milestones": [{"kind": "interim", "due_on": "2026-08-31"}, {"kind": "final", "due_on": "2027-01-31"}],
        "evaluation_dates": ["2027-03-01"]}


def test_officer_prepares_the_plan_and_sees_what_it_lacks(client, staff):
    application = staff.submitted_application()
    url = f"/api/v1/staff/applications/{application.id}/plan"
    assert client.get(url, headers=bearer(staff.officer_token)).status_code == 404
    body = client.put(url, json=PLAN, headers=bearer(staff.officer_token)).json
    assert len(body["problems"]) == 1 and body["indicators"][0]["target"] == 20.0
    body = client.put(url, json={**PLAN, "responsible_officer_id": staff.officer.id},
                      headers=bearer(staff.officer_token)).json
    assert body["problems"] == [] and body["responsible_officer"]["id"] == staff.officer.id
    assert [m["kind"] for m in client.get(url, headers=bearer(staff.decider_token)).json["milestones"]] == [
        "interim", "final"]


def test_plan_is_refused_for_the_wrong_role_committee_or_officer(client, staff):
    application = staff.submitted_application()
    url = f"/api/v1/staff/applications/{application.id}/plan"
    assert client.put(url, json=PLAN, headers=bearer(staff.decider_token)).status_code == 403
    assert client.put(url, json=PLAN, headers=bearer(staff.other_officer_token)).status_code == 404
    response = client.put(url, json={**PLAN, "responsible_officer_id": staff.other_officer.id},
                          headers=bearer(staff.officer_token))
    assert response.status_code == 422 and "responsible_officer_id" in response.json["error"]["fields"]
    bad_date = {**PLAN, "evaluation_dates": ["2027-02-30"]}
    assert client.put(url, json=bad_date, headers=bearer(staff.officer_token)).status_code == 400


# --- decisions ----------------------------------------------------------------------------------

def _decide(client, staff, application, token=None, **changes):
    body = {"version": application.version, "outcome": "approve", "reasons": "Uppfyller kriterierna."}
    body.update(changes)
    return client.post(f"/api/v1/staff/applications/{application.id}/decision", json=body,
                       headers=bearer(token or staff.decider_token))


def test_decision_maker_approves_with_tranches_and_a_grant_is_made(client, staff, session):
    application = staff.ready_for_decision()
    final = application.plan.milestones[-1]
    response = _decide(client, staff, application, tranches=[
        {"due_on": "2026-04-01", "amount": 30_000_00},
        {"due_on": "2027-02-01", "amount": 10_000_00, "condition": "milestone_approved", "milestone_id": final.id}])
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "approve" and response.json["amount"] == 40_000_00
    grant = session.get(Grant, response.json["grant_id"])
    assert [(t.amount, t.condition) for t in grant.tranches] == [(30_000_00, "none"),
                                                                 (10_000_00, "milestone_approved")]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.made")).actor_id == staff.decider.id
    decision = client.get(f"/api/v1/staff/applications/{application.id}/decision",
                          headers=bearer(staff.officer_token)).json
    assert decision["id"] == response.json["id"] and decision["decided_by"]["id"] == staff.decider.id


def test_a_stale_version_is_a_409_and_nothing_is_decided(client, staff, session):
    application = staff.ready_for_decision()
    seen = application.version
    services.return_for_completion(session, application, message="Komplettera budgeten.", by=staff.officer,
                                   now=staff.now)
    session.commit()
    response = _decide(client, staff, application, version=seen)
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"
    session.expire_all()
    assert session.get(Application, application.id).decision is None


def test_deciding_twice_is_a_409(client, staff):
    application = staff.ready_for_decision()
    version = application.version
    assert _decide(client, staff, application, version=version).status_code == 201
    assert _decide(client, staff, application, version=version).status_code == 409


def test_an_incomplete_plan_is_refused_with_422(client, staff):
    application = staff.submitted_application()
    response = _decide(client, staff, application)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"plan"}


def test_an_amount_over_the_remaining_budget_is_refused_with_422(client, staff, session):
    staff.programme.budget = 50_000_00
    session.commit()
    staff.grant(released=False)  # 40 000 kr of 50 000 kr already granted
    application = staff.ready_for_decision()
    response = _decide(client, staff, application)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"amount"}


@pytest.fixture
def failing_rule_set(session, now):
    @screening_engine.rule("api_test_always_fails", "formal")
    def _fails(ctx):
        return screening_engine.RuleVerdict(RuleOutcome.FAIL, {"why": "test"})

    session.add(RuleSet(version=2, name="Strängare", rules=[{"id": "api_test_always_fails"}], validity_days=30,
                        published_at=now, created_at=now))
    session.commit()
    yield
    screening_engine.RULES.pop("api_test_always_fails", None)


def test_an_application_that_is_not_eligible_is_refused_with_422(client, staff, failing_rule_set):
    application = staff.submitted_application()  # screened with the failing rule set at submission
    staff.grants.complete_plan(application, staff.officer)
    response = _decide(client, staff, application)
    assert response.status_code == 422 and "behörighetsprövning" in response.json["error"]["message"]
    rejected = _decide(client, staff, application, outcome="reject", reasons="Uppfyller inte villkoren.")
    assert rejected.status_code == 201 and rejected.json["grant_id"] is None


def test_only_decision_makers_of_the_committee_decide(client, staff):
    application = staff.ready_for_decision()
    assert _decide(client, staff, application, token=staff.officer_token).status_code == 403
    assert _decide(client, staff, application, token=staff.other_decider_token).status_code == 404
    assert _decide(client, staff, application, token=staff.applicant_token).status_code == 403
    assert client.get(f"/api/v1/staff/applications/{application.id}/decision",
                      headers=bearer(staff.officer_token)).status_code == 404  # not decided yet


@pytest.fixture
def assessed_rule_set(session, now):
    @screening_engine.rule("api_test_needs_assessment", "formal")
    def _unclear(ctx):
        return screening_engine.RuleVerdict(RuleOutcome.NEEDS_ASSESSMENT, {"statutes": "oklara"})

    session.add(RuleSet(version=2, name="Med bedömning", rules=[{"id": "api_test_needs_assessment"}],
                        validity_days=30, published_at=now, created_at=now))
    session.commit()
    yield
    screening_engine.RULES.pop("api_test_needs_assessment", None)


def test_a_rule_that_needs_assessment_is_resolved_then_the_application_can_be_approved(
        client, staff, session, assessed_rule_set):
    application = staff.ready_for_decision()
    screening = client.get(f"/api/v1/staff/applications/{application.id}/screenings",
                           headers=bearer(staff.officer_token)).json[0]
    assert screening["outcome"] == "needs_assessment"
    assert _decide(client, staff, application).status_code == 422
    result_id = screening["results"][0]["id"]
    url = f"/api/v1/staff/applications/{application.id}/screenings/{screening['id']}/results/{result_id}/resolve"
    assert client.post(url, json={"outcome": "pass", "reason": "Ok"},
                       headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.post(url, json={"outcome": "pass", "reason": "Ok"},
                       headers=bearer(staff.applicant_token)).status_code == 403
    refused = client.post(url, json={"outcome": "pass", "reason": " "}, headers=bearer(staff.officer_token))
    assert refused.status_code == 422 and set(refused.json["error"]["fields"]) == {"reason"}
    body = client.post(url, json={"outcome": "pass", "reason": "Stadgarna föreskriver årsmöte."},
                       headers=bearer(staff.officer_token)).json
    assert body["outcome"] == "eligible"
    assert body["results"][0]["resolution_reason"] == "Stadgarna föreskriver årsmöte."
    again = client.post(url, json={"outcome": "fail", "reason": "Ändrat mig"}, headers=bearer(staff.officer_token))
    assert again.status_code == 409
    session.expire_all()
    assert _decide(client, staff, session.get(Application, application.id)).status_code == 201


def test_other_committees_cannot_read_the_plan_or_the_decision(client, staff):
    grant = staff.grant()
    for path in ("plan", "decision", "screenings"):
        url = f"/api/v1/staff/applications/{grant.application_id}/{path}"
        assert client.get(url, headers=bearer(staff.officer_token)).status_code == 200
        assert client.get(url, headers=bearer(staff.other_officer_token)).status_code == 404
        assert client.get(url, headers=bearer(staff.applicant_token)).status_code == 403
