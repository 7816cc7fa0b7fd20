"""The grantee report flow: fill in, submit, return, resubmit, approve; who may do what."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.models import GrantStatus
from monitoring.models import GranteeReport, ReportStatus
from monitoring.reports import parse_money
from portal.errors import DomainError
from portal.models import AuditEvent, OutboxMessage, Role
from tests.monitoring.conftest import login_user


def _form(world, *, submit=True, activities="Tolv träffar i Rinkeby", **extra):
    deltagare, traffar = world.plan.indicators
    lokal, arvode = world.application.budget_lines
    data = {
        "activities": activities,
        "p_women_0_17": "4", "p_women_18_25": "8", "p_men_0_17": "5", "p_men_18_25": "6", "p_other_18_25": "1",
        f"ind_{deltagare.id}": "24", f"ind_{deltagare.id}_women": "12", f"ind_{deltagare.id}_men": "11",
        f"ind_{deltagare.id}_other": "1", f"ind_{traffar.id}": "12",
        f"spend_{lokal.id}": "12 000,50", f"spend_{arvode.id}": "30000",
    }
    data.update(extra)
    data["submit" if submit else "save"] = "1"
    return data


def _report_url(world, index=0):
    return f"/monitoring/grants/{world.grant.id}/milestones/{world.plan.milestones[index].id}/report"


def test_parse_money_reads_swedish_and_dotted_amounts_exactly():
    assert parse_money("1 234,50", "x") == 123450
    assert parse_money("1234.50", "x") == 123450
    assert parse_money("0,10", "x") == 10
    assert parse_money("", "x") == 0
    with pytest.raises(DomainError):
        parse_money("12,345", "x")
    with pytest.raises(DomainError):
        parse_money("tio", "x")


def test_representative_submits_a_report_with_participants_indicators_and_spending(client, session, build):
    world = build.grant()
    login_user(client, world.representative)
    assert client.get(_report_url(world)).status_code == 200
    response = client.post(_report_url(world), data=_form(world))
    assert response.status_code == 302
    report = session.scalar(select(GranteeReport))
    assert report.status == ReportStatus.SUBMITTED.value
    assert (report.participants_women, report.participants_men, report.participants_other) == (12, 11, 1)
    assert report.participants["women"]["18-25"] == 8
    assert report.spent_total == 4_200_050
    by_indicator = {v.indicator_id: v for v in report.indicator_values}
    deltagare = world.plan.indicators[0]
    assert by_indicator[deltagare.id].value == Decimal(24) and by_indicator[deltagare.id].value_women == Decimal(12)
    officer_mail = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == world.officer.email)).all()
    assert len(officer_mail) == 1
    # submitted: no longer editable; the edit page sends the representative to the read-only view
    assert client.get(_report_url(world)).status_code == 302
    page = client.get(f"/monitoring/reports/{report.id}").get_data(as_text=True)
    assert "42\u00a0000,50\u00a0kr" in page


def test_submitting_without_activities_keeps_the_input_and_shows_the_message_beside_the_field(client, session, build):
    world = build.grant()
    login_user(client, world.representative)
    response = client.post(_report_url(world), data=_form(world, activities=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="activities-error"' in page
    assert 'value="12 000,50"' in page
    assert session.scalar(select(GranteeReport)) is None  # nothing half-saved


def test_gender_parts_must_add_up_to_the_total(client, session, build):
    world = build.grant()
    login_user(client, world.representative)
    deltagare = world.plan.indicators[0]
    response = client.post(_report_url(world), data=_form(world, **{f"ind_{deltagare.id}": "30"}))
    assert response.status_code == 422
    assert f'id="ind_{deltagare.id}-error"' in response.get_data(as_text=True)


def test_officer_returns_with_comment_then_approves_the_resubmitted_report(client, session, build, now):
    world = build.grant()
    login_user(client, world.representative)
    client.post(_report_url(world), data=_form(world))
    report = session.scalar(select(GranteeReport))

    login_user(client, world.officer)
    response = client.post(f"/monitoring/reports/{report.id}/return", data={"return-comment": ""})
    assert response.status_code == 422
    client.post(f"/monitoring/reports/{report.id}/return", data={"return-comment": "Bifoga kvitton för lokalhyran."})
    session.expire_all()
    assert report.status == ReportStatus.RETURNED.value
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == world.representative.email)).all()
    assert any("Bifoga kvitton" in m.body for m in mail)

    login_user(client, world.representative)
    assert "Bifoga kvitton" in client.get(_report_url(world)).get_data(as_text=True)
    client.post(_report_url(world), data=_form(world, activities="Tolv träffar, kvitton bifogade"))
    session.expire_all()
    assert report.status == ReportStatus.SUBMITTED.value

    login_user(client, world.officer)
    client.post(f"/monitoring/reports/{report.id}/approve")
    session.expire_all()
    assert report.status == ReportStatus.APPROVED.value
    assert report.milestone.report_approved_at == now
    assert world.grant.status == GrantStatus.ACTIVE.value  # the final report is still to come
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "grantee_report")).all()
    assert actions.count("report.submitted") == 2 and "report.returned" in actions and "report.approved" in actions


def test_grant_completes_when_every_report_is_approved_after_the_period(app, client, session, build):
    world = build.grant(period=(date(2025, 1, 1), date(2025, 12, 31)),
                        milestones=[("final", date(2026, 1, 31))])
    login_user(client, world.representative)
    client.post(_report_url(world), data=_form(world))
    report = session.scalar(select(GranteeReport))
    login_user(client, world.officer)
    client.post(f"/monitoring/reports/{report.id}/approve")
    session.expire_all()
    assert world.grant.status == GrantStatus.COMPLETED.value


def test_only_the_organisations_representatives_may_report(client, session, build):
    world = build.grant()
    stranger_org = build.organisation()
    stranger = build.representative(stranger_org)
    login_user(client, stranger)
    assert client.get(_report_url(world)).status_code == 403
    assert client.post(_report_url(world), data=_form(world)).status_code == 403
    login_user(client, world.officer)  # staff may not report for the organisation
    assert client.post(_report_url(world), data=_form(world)).status_code == 404
    assert session.scalar(select(GranteeReport)) is None


def test_officers_of_another_committee_may_neither_see_nor_approve(client, session, build, factory, login_as):
    world = build.grant()
    login_user(client, world.representative)
    client.post(_report_url(world), data=_form(world))
    report = session.scalar(select(GranteeReport))
    login_user(client, factory.user(role=Role.OFFICER, committee=factory.committee()))
    assert client.get(f"/monitoring/reports/{report.id}").status_code == 403
    assert client.post(f"/monitoring/reports/{report.id}/approve").status_code == 403
    session.expire_all()
    assert report.status == ReportStatus.SUBMITTED.value


def test_coordinators_read_reports_but_cannot_approve(client, session, build, factory):
    world = build.grant()
    login_user(client, world.representative)
    client.post(_report_url(world), data=_form(world))
    report = session.scalar(select(GranteeReport))
    login_user(client, factory.user(role=Role.COORDINATOR))
    assert client.get(f"/monitoring/reports/{report.id}").status_code == 200
    assert client.post(f"/monitoring/reports/{report.id}/approve").status_code == 403


def test_representative_attaches_a_file_to_a_draft(client, session, build):
    world = build.grant()
    login_user(client, world.representative)
    client.post(_report_url(world), data=_form(world, submit=False))
    report = session.scalar(select(GranteeReport))
    assert report.status == ReportStatus.DRAFT.value
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    client.post(f"/monitoring/reports/{report.id}/attachments",
                data={"file": (io.BytesIO(pdf), "kvitton.pdf")}, content_type="multipart/form-data")
    assert "kvitton.pdf" in client.get(_report_url(world)).get_data(as_text=True)


def test_deadlines_page_shows_every_report_of_the_users_organisations_and_marks_overdue(app, client, build, session):
    world = build.grant(milestones=[("interim", date(2026, 2, 1)), ("final", date(2027, 1, 31))])
    other = build.grant(organisation=world.organisation, representative=world.representative,
                        title="Föräldraträffar")
    build.grant(title="Någon annans bidrag")
    login_user(client, world.representative)
    page = client.get("/monitoring/deadlines").get_data(as_text=True)
    assert "Samtalsgrupper för unga" in page and "Föräldraträffar" in page
    assert "Någon annans bidrag" not in page
    assert page.count("Försenad") == 1  # the interim report due 2026-02-01 (today is 2026-03-02)
    assert other.grant.id


def test_officers_report_list_shows_their_committees_reports_with_constant_queries(client, session, build,
                                                                                   count_queries):
    world = build.grant()
    officer = world.officer

    def submit_for(w):
        session.add(GranteeReport(grant_id=w.grant.id, milestone_id=w.plan.milestones[0].id,
                                  status=ReportStatus.SUBMITTED.value, created_at=build.now,
                                  submitted_at=build.now, participants={}))
        session.commit()

    submit_for(world)
    login_user(client, officer)
    with count_queries() as few:
        assert client.get("/monitoring/reports").status_code == 200
    for _ in range(4):
        submit_for(build.grant(committee=world.committee, officer=officer))
    foreign = build.grant(title="Annan nämnds bidrag")
    submit_for(foreign)
    with count_queries() as many:
        page = client.get("/monitoring/reports").get_data(as_text=True)
    assert many.count == few.count
    assert page.count("Samtalsgrupper för unga") == 5 and "Annan nämnds bidrag" not in page


def test_a_withdrawn_grants_report_form_says_why_it_takes_no_report(client, session, build, factory):
    world = build.grant()
    factory.withdraw_grant(world.grant)
    session.commit()
    login_user(client, world.representative)
    response = client.get(_report_url(world))
    assert response.status_code == 302 and response.headers["Location"].endswith("/monitoring/deadlines")
    assert "Bidraget är indraget" in client.get("/monitoring/deadlines").get_data(as_text=True)
