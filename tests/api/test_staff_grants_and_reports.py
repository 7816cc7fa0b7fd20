"""Committee staff in the API: grants with their tranches, and grantee reports to approve or return."""
from __future__ import annotations

from sqlalchemy import select

from monitoring.models import GranteeReport
from portal.models import AuditEvent, OutboxMessage
from tests.api.conftest import bearer


def test_staff_list_the_grants_of_their_committee_with_tranches(client, staff):
    grant = staff.grant()
    body = client.get("/api/v1/staff/grants", headers=bearer(staff.decider_token)).json
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == grant.id and item["amount"] == 40_000_00 and item["paid"] == 0
    assert [(t["status"], t["amount"]) for t in item["tranches"]] == [("released", 40_000_00)]
    assert client.get("/api/v1/staff/grants?status=withdrawn", headers=bearer(staff.decider_token)).json["total"] == 0
    assert client.get("/api/v1/staff/grants", headers=bearer(staff.other_officer_token)).json["total"] == 0
    assert client.get("/api/v1/staff/grants", headers=bearer(staff.coordinator_token)).json["total"] == 1
    assert client.get("/api/v1/staff/grants", headers=bearer(staff.applicant_token)).status_code == 403


def test_one_grant_is_404_for_another_committee(client, staff):
    grant = staff.grant()
    url = f"/api/v1/staff/grants/{grant.id}"
    assert client.get(url, headers=bearer(staff.officer_token)).json["organisation"]["id"] == grant.organisation_id
    assert client.get(url, headers=bearer(staff.coordinator_token)).status_code == 200
    assert client.get(url, headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.get(url, headers=bearer(staff.applicant_token)).status_code == 403


def test_grant_list_queries_do_not_grow_with_the_data(client, staff, count_queries):
    staff.grant(requested=10_000_00)
    token = bearer(staff.officer_token)
    client.get("/api/v1/me", headers=token)  # the token's first use writes last_used_at
    with count_queries() as few:
        client.get("/api/v1/staff/grants", headers=token)
    for _ in range(3):
        staff.grant(requested=10_000_00)
    with count_queries() as many:
        assert client.get("/api/v1/staff/grants", headers=token).json["total"] == 4
    assert many.count == few.count


# --- grantee reports ----------------------------------------------------------------------------

def test_officer_sees_submitted_reports_and_approves_one(client, staff, session):
    report = staff.submitted_report(staff.grant())
    listed = client.get("/api/v1/staff/reports?status=submitted", headers=bearer(staff.officer_token)).json
    assert [r["id"] for r in listed["items"]] == [report.id]
    assert listed["items"][0]["participant_totals"] == {"women": 6, "men": 5, "other": 0}
    response = client.post(f"/api/v1/staff/reports/{report.id}/approve", json={}, headers=bearer(staff.officer_token))
    assert response.status_code == 200 and response.json["status"] == "approved"
    session.expire_all()
    assert session.get(GranteeReport, report.id).milestone.report_approved_at == staff.now
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "report.approved"))
    assert event.actor_id == staff.officer.id
    again = client.post(f"/api/v1/staff/reports/{report.id}/approve", json={}, headers=bearer(staff.officer_token))
    assert again.status_code == 422


def test_officer_returns_a_report_with_a_comment_and_the_organisation_is_told(client, staff, session):
    report = staff.submitted_report(staff.grant())
    url = f"/api/v1/staff/reports/{report.id}/return"
    refused = client.post(url, json={"comment": "  "}, headers=bearer(staff.officer_token))
    assert refused.status_code == 422 and set(refused.json["error"]["fields"]) == {"comment"}
    response = client.post(url, json={"comment": "Ange deltagare per kön."}, headers=bearer(staff.officer_token))
    assert response.status_code == 200 and response.json["officer_comment"] == "Ange deltagare per kön."
    assert response.json["status"] == "returned"
    mail = session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == staff.applicant.email)
                          .order_by(OutboxMessage.id.desc()))
    assert "Ange deltagare per kön." in mail.body


def test_reports_of_another_committee_are_404_and_only_officers_review(client, staff):
    report = staff.submitted_report(staff.grant())
    one = f"/api/v1/staff/reports/{report.id}"
    assert client.get(one, headers=bearer(staff.decider_token)).status_code == 200
    assert client.get(one, headers=bearer(staff.coordinator_token)).status_code == 200
    assert client.get(one, headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.get(one, headers=bearer(staff.applicant_token)).status_code == 403
    assert client.get("/api/v1/staff/reports", headers=bearer(staff.other_officer_token)).json["total"] == 0
    approve = f"/api/v1/staff/reports/{report.id}/approve"
    assert client.post(approve, json={}, headers=bearer(staff.decider_token)).status_code == 403
    assert client.post(approve, json={}, headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.post(approve, json={}, headers=bearer(staff.coordinator_token)).status_code == 403
    assert client.post(approve, json={}, headers=bearer(staff.applicant_token)).status_code == 403


def test_drafts_of_reports_are_listed_only_when_asked_for(client, staff, session):
    from monitoring import reports
    from monitoring.queries import plan_for_grant

    grant = staff.grant()
    milestone = plan_for_grant(session, grant).milestones[0]
    reports.save_report(session, grant, milestone, reports.ReportInput(activities="Påbörjad"), by=staff.applicant,
                        now=staff.now, submit=False)
    session.commit()
    token = bearer(staff.officer_token)
    assert client.get("/api/v1/staff/reports", headers=token).json["total"] == 0
    assert client.get("/api/v1/staff/reports?status=draft", headers=token).json["total"] == 1


def test_report_list_queries_do_not_grow_with_the_data(client, staff, count_queries):
    staff.submitted_report(staff.grant(requested=10_000_00))
    token = bearer(staff.officer_token)
    client.get("/api/v1/me", headers=token)
    with count_queries() as few:
        client.get("/api/v1/staff/reports", headers=token)
    for _ in range(3):
        staff.submitted_report(staff.grant(requested=10_000_00))
    with count_queries() as many:
        assert client.get("/api/v1/staff/reports", headers=token).json["total"] == 4
    assert many.count == few.count
