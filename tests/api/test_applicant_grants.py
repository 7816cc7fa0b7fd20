"""The applicant's grants, plans, tranches and report deadlines through the API, and grantee reports
submitted through the same service as the report page."""
from __future__ import annotations

from datetime import date

import pytest

from grants.models import BudgetLine
from monitoring.models import GranteeReport
from portal.models import Role
from tests.api.applicant_world import audit_actions, mails_to, me  # noqa: F401
from tests.api.conftest import bearer


def _report_body(world, submit=True, **changes):
    indicators = world.plan.indicators
    lines = world.application.budget_lines
    body = {
        "activities": "Tolv träffar i Rinkeby", "submit": submit,
        "participants": {"women": {"18-25": 7}, "men": {"18-25": 5}},
        "indicators": [{"indicator_id": indicators[0].id, "value": 12, "women": 7, "men": 5, "other": 0},
                       {"indicator_id": indicators[1].id, "value": 10.5}],
        "spending": [{"budget_line_id": lines[0].id, "amount": 1_234_50}],
    }
    body.update(changes)
    return body


def _milestone_path(world, index=0):
    return f"/api/v1/grants/{world.grant.id}/milestones/{world.plan.milestones[index].id}/report"


def test_applicant_sees_their_grants_with_plan_and_tranches(client, me, factory):
    world = me.grant(tranches=[factory.tranche_input(date(2026, 4, 1), 20_000_000)])
    factory.release(world.grant.tranches[0])
    listed = client.get("/api/v1/my/grants", headers=me.headers).json
    assert [g["id"] for g in listed["items"]] == [world.grant.id]
    body = client.get(f"/api/v1/my/grants/{world.grant.id}", headers=me.headers).json
    assert body["amount"] == 20_000_000 and body["decision"]["outcome"] == "approve"
    assert [m["kind"] for m in body["plan"]["milestones"]] == ["interim", "final"]
    assert body["plan"]["indicators"][0]["target"] == "40.00"
    assert body["tranches"] == [{"id": body["tranches"][0]["id"], "due_on": "2026-04-01", "amount": 20_000_000,
                                 "status": "released", "condition": "none", "condition_milestone_id": None}]


def test_another_organisations_grant_is_404(client, me, world):
    other_user, other_headers, other_org = me.other_applicant()
    theirs = me.monitoring.grant(organisation=other_org, representative=other_user)
    assert client.get(f"/api/v1/my/grants/{theirs.grant.id}", headers=me.headers).status_code == 404
    assert client.get("/api/v1/my/grants", headers=me.headers).json["total"] == 0
    _officer, token = world.user_with_token(Role.OFFICER, theirs.committee)
    assert client.get(f"/api/v1/my/grants/{theirs.grant.id}", headers=bearer(token)).status_code == 404


def test_deadlines_list_every_report_due_with_its_state(app, client, me):
    world = me.grant()
    app.config["FIXED_NOW"] = app.config["FIXED_NOW"].replace(month=7, day=15)
    body = client.get("/api/v1/my/deadlines", headers=me.headers).json
    assert body["total"] == 2
    interim, final = body["items"]
    assert interim["milestone"] == {"id": world.plan.milestones[0].id, "kind": "interim", "due_on": "2026-06-30"}
    assert interim["overdue"] is True and interim["report"] is None and final["overdue"] is False
    assert interim["grant"]["title"] == "Samtalsgrupper för unga"


def test_representative_submits_a_report_and_the_officer_is_told(client, session, me):
    world = me.grant()
    response = client.post(_milestone_path(world), headers=me.headers, json=_report_body(world))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "submitted" and body["spent_total"] == 1_234_50
    assert body["participants"]["women"]["18-25"] == 7
    assert {i["value"] for i in body["indicators"]} == {"12", "10.5"}
    assert audit_actions(session, "grantee_report", body["id"]) == ["report.submitted"]
    assert mails_to(session, world.officer.email)
    deadlines = client.get("/api/v1/my/deadlines", headers=me.headers).json["items"]
    assert deadlines[0]["report"] == {"id": body["id"], "status": "submitted"}
    # Submitted: no more changes.
    again = client.post(_milestone_path(world), headers=me.headers, json=_report_body(world))
    assert again.status_code == 422


def test_a_draft_report_is_saved_without_the_submission_checks(client, session, me):
    world = me.grant()
    response = client.post(_milestone_path(world), headers=me.headers,
                           json={"activities": "", "submit": False})
    assert response.status_code == 200 and response.json["status"] == "draft"
    assert audit_actions(session, "grantee_report", response.json["id"]) == ["report.saved"]


@pytest.mark.parametrize("changes, field", [
    ({"activities": "  "}, "activities"),
    ({"indicators": []}, None),  # every indicator's value is needed to submit
])
def test_an_incomplete_report_is_refused_with_a_422(client, session, me, changes, field):
    world = me.grant()
    response = client.post(_milestone_path(world), headers=me.headers, json=_report_body(world, **changes))
    assert response.status_code == 422
    if field:
        assert field in response.json["error"]["fields"]
    session.expire_all()
    assert session.query(GranteeReport).count() == 0


def test_gender_parts_must_add_up_to_the_total(client, me):
    world = me.grant()
    body = _report_body(world)
    body["indicators"][0]["women"] = 9
    response = client.post(_milestone_path(world), headers=me.headers, json=body)
    assert response.status_code == 422


@pytest.mark.parametrize("payload", [{"submit": True}, {"activities": "x", "submit": "yes"},
                                     {"activities": "x", "submit": True, "spending": [{"budget_line_id": 1}]},
                                     {"activities": "x", "submit": True,
                                      "participants": {"women": {"18-25": -1}}}])
def test_a_malformed_report_is_a_400(client, me, payload):
    world = me.grant()
    response = client.post(_milestone_path(world), headers=me.headers, json=payload)
    assert response.status_code == 400


def test_only_the_organisations_representatives_report(client, world, me):
    grant_world = me.grant()
    _other_user, other_headers, _org = me.other_applicant()
    body = _report_body(grant_world)
    assert client.post(_milestone_path(grant_world), headers=other_headers, json=body).status_code == 404
    _officer, officer_token = world.user_with_token(Role.OFFICER, grant_world.committee)
    assert client.post(_milestone_path(grant_world), headers=bearer(officer_token), json=body).status_code == 403
    _elsewhere, elsewhere_token = world.user_with_token(Role.OFFICER)
    assert client.post(_milestone_path(grant_world), headers=bearer(elsewhere_token), json=body).status_code == 404
    other = me.grant()
    wrong = f"/api/v1/grants/{grant_world.grant.id}/milestones/{other.plan.milestones[0].id}/report"
    assert client.post(wrong, headers=me.headers, json=body).status_code == 404


def test_a_withdrawn_grant_takes_no_report(client, session, me):
    world = me.grant()
    world.grant.status = "withdrawn"
    session.commit()
    response = client.post(_milestone_path(world), headers=me.headers, json=_report_body(world))
    assert response.status_code == 422


def test_spending_on_another_applications_budget_line_is_ignored(client, session, me):
    world = me.grant()
    other = me.grant()
    foreign = session.query(BudgetLine).filter_by(application_id=other.application.id).first()
    body = _report_body(world, spending=[{"budget_line_id": foreign.id, "amount": 100}])
    response = client.post(_milestone_path(world), headers=me.headers, json=body)
    assert response.status_code == 200 and response.json["spending"] == [] and response.json["spent_total"] == 0


def test_grant_and_deadline_lists_do_not_grow_in_queries_with_the_data(client, me, count_queries):
    me.grant()
    client.get("/api/v1/me", headers=me.headers)  # the token's first use writes last_used_at
    with count_queries() as few_grants:
        client.get("/api/v1/my/grants", headers=me.headers)
    with count_queries() as few_deadlines:
        client.get("/api/v1/my/deadlines", headers=me.headers)
    for _ in range(4):
        me.grant()
    with count_queries() as many_grants:
        assert client.get("/api/v1/my/grants", headers=me.headers).json["total"] == 5
    with count_queries() as many_deadlines:
        assert client.get("/api/v1/my/deadlines", headers=me.headers).json["total"] == 10
    assert many_grants.count == few_grants.count and many_deadlines.count == few_deadlines.count


def test_another_applicant_sees_none_of_our_deadlines(client, me):
    me.grant()
    _other_user, other_headers, _org = me.other_applicant()
    assert client.get("/api/v1/my/deadlines", headers=other_headers).json["total"] == 0
    assert client.get("/api/v1/my/deadlines", headers=me.headers).json["total"] == 2
