"""The coordinator's side of the API: findings (details for coordinators only, status for the
reporting committee) and withdrawal cases."""
from __future__ import annotations

from datetime import date, timedelta

from eligibility import services
from tests.api.conftest import bearer


def _finding(staff, reporter, committee_id, organisation=None):
    organisation = organisation or staff.grants.organisation()
    finding = services.report_finding(
        staff.session, organisation=organisation, conduct_on=date(2026, 1, 15), category="incitement",
        actor_kind="board_member", actor_name="Kalle Styrelse", source_category="media",
        evidence="Tal den 15 januari.", by=reporter, reporting_committee_id=committee_id, now=staff.now)
    staff.session.commit()
    return finding


def test_coordinator_sees_every_finding_with_its_details(client, staff):
    finding = _finding(staff, staff.officer, staff.committee.id)
    body = client.get("/api/v1/findings", headers=bearer(staff.coordinator_token)).json
    assert body["total"] == 1
    details = body["items"][0]["details"]
    assert details["evidence"] == "Tal den 15 januari." and details["actor_name"] == "Kalle Styrelse"
    assert details["reported_by"]["id"] == staff.officer.id and details["withdrawal_case_id"] is None
    one = client.get(f"/api/v1/findings/{finding.id}", headers=bearer(staff.coordinator_token)).json
    assert one["details"]["category"] == "incitement"


def test_the_reporting_committee_sees_the_status_but_not_the_details(client, staff):
    finding = _finding(staff, staff.officer, staff.committee.id)
    for token in (staff.officer_token, staff.decider_token):
        body = client.get("/api/v1/findings", headers=bearer(token)).json
        assert [(f["id"], f["status"], f["details"]) for f in body["items"]] == [(finding.id, "reported", None)]
        one = client.get(f"/api/v1/findings/{finding.id}", headers=bearer(token)).json
        assert one["details"] is None and "Kalle" not in str(one)


def test_another_committee_does_not_see_the_finding_and_applicants_are_refused(client, staff):
    finding = _finding(staff, staff.officer, staff.committee.id)
    assert client.get("/api/v1/findings", headers=bearer(staff.other_officer_token)).json["total"] == 0
    assert client.get(f"/api/v1/findings/{finding.id}", headers=bearer(staff.other_officer_token)).status_code == 404
    assert client.get("/api/v1/findings", headers=bearer(staff.applicant_token)).status_code == 403
    # the other committee's own report is theirs to follow
    own = _finding(staff, staff.other_officer, staff.other_committee.id)
    body = client.get("/api/v1/findings", headers=bearer(staff.other_officer_token)).json
    assert [f["id"] for f in body["items"]] == [own.id]


def test_findings_filter_by_status_and_organisation(client, staff):
    first = _finding(staff, staff.officer, staff.committee.id)
    _finding(staff, staff.officer, staff.committee.id)
    services.assess_finding(staff.session, first, confirm=False, reason="Inte styrkt.", by=staff.coordinator,
                            now=staff.now)
    staff.session.commit()
    token = bearer(staff.coordinator_token)
    assert [f["id"] for f in client.get("/api/v1/findings?status=dismissed", headers=token).json["items"]] == [
        first.id]
    assert client.get(f"/api/v1/findings?organisation={first.organisation_id}", headers=token).json["total"] == 1


def _open_case(staff):
    finding = _finding(staff, staff.officer, staff.committee.id)
    case = services.assess_finding(staff.session, finding, confirm=True, reason="Talet uppmanar till våld.",
                                   by=staff.coordinator, now=staff.now)
    staff.session.commit()
    return finding, case


def test_coordinator_lists_and_reads_withdrawal_cases(client, staff, app):
    finding, case = _open_case(staff)
    token = bearer(staff.coordinator_token)
    body = client.get("/api/v1/withdrawal-cases?status=open", headers=token).json
    assert [c["id"] for c in body["items"]] == [case.id]
    one = client.get(f"/api/v1/withdrawal-cases/{case.id}", headers=token).json
    assert one["finding_id"] == finding.id and one["organisation"]["status"] == "under_notice"
    assert one["grounds"] == "Talet uppmanar till våld." and one["deadline_passed"] is False
    app.config["FIXED_NOW"] = staff.now + timedelta(days=15)
    assert client.get(f"/api/v1/withdrawal-cases/{case.id}", headers=token).json["deadline_passed"] is True
    assert client.get("/api/v1/withdrawal-cases?status=closed", headers=token).json["total"] == 0
    assert client.get("/api/v1/findings", headers=token).json["items"][0]["details"]["withdrawal_case_id"] == case.id


def test_withdrawal_cases_are_for_coordinators_only(client, staff):
    _finding_row, case = _open_case(staff)
    for token in (staff.officer_token, staff.decider_token, staff.applicant_token):
        assert client.get("/api/v1/withdrawal-cases", headers=bearer(token)).status_code == 403
        assert client.get(f"/api/v1/withdrawal-cases/{case.id}", headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/withdrawal-cases/999999", headers=bearer(staff.coordinator_token)).status_code == 404
