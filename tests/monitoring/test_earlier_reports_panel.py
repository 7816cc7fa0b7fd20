"""The staff application page lists the organisation's reports for earlier grants, in every
committee: status for all staff who may open the application, the report itself only for the
granting committee (issue 4, point 3)."""
from datetime import date

import pytest

from grants.models import Application, ApplicationStatus, MilestoneKind, Programme, ProgrammeStatus
from monitoring import reports
from portal.models import Role

from .conftest import login_user


def _report(factory, world, milestone, status, now):
    """A report in `status`, through the report services as the organisation and officer act."""
    report = factory.report(world.grant, milestone, submit=status != "draft", approve=status == "approved",
                            at=now)
    if status == "returned":
        reports.return_report(factory.session, report, "Komplettera deltagarna.", by=world.officer, now=now)
        factory.session.commit()
    return report


@pytest.fixture
def history(build, factory, session, now):
    """An organisation with earlier grants in two committees, and a new application to a third."""
    org = build.organisation()
    in_a = build.grant(organisation=org, milestones=((MilestoneKind.INTERIM, date(2025, 12, 1)),
                                                     (MilestoneKind.FINAL, date(2026, 2, 1))))
    in_b = build.grant(organisation=org, milestones=((MilestoneKind.INTERIM, date(2026, 1, 15)),
                                                     (MilestoneKind.FINAL, date(2026, 9, 30))))
    interim_a, final_a = in_a.plan.milestones
    interim_b, later_b = in_b.plan.milestones
    approved = _report(factory, in_a, interim_a, "approved", now)
    returned = _report(factory, in_b, interim_b, "returned", now)  # past its due date: overdue again
    submitted = _report(factory, in_b, later_b, "submitted", now)  # handed in before it is due
    # final_a (due 2026-02-01, before "now" 2026-03-02) has no report: overdue.
    committee_c = factory.committee("Kulturnämnden")
    programme = Programme(committee_id=committee_c.id, title="Kultur mot extremism", action_area="general",
                          budget=1_000_000_00, max_per_grant=100_000_00, opens_on=date(2026, 1, 1),
                          closes_on=date(2026, 12, 31), status=ProgrammeStatus.PUBLISHED.value, created_at=now)
    session.add(programme)
    session.flush()
    application = Application(reference="2026-000900", organisation_id=org.id, programme_id=programme.id,
                              created_by_id=in_a.representative.id, title="Ny ansökan", requested_amount=10_000_00,
                              status=ApplicationStatus.SUBMITTED.value, created_at=now, updated_at=now,
                              submitted_at=now)
    session.add(application)
    session.commit()

    class H:
        pass

    h = H()
    h.a, h.b, h.application, h.committee_c = in_a, in_b, application, committee_c
    h.approved, h.returned, h.submitted, h.final_a = approved, returned, submitted, final_a
    return h


def _rows(html):
    section = html[html.index('id="earlier-reports"'):]
    section = section[:section.index("</section>")]
    return [row for row in section.split("<tr")[2:]]


def test_another_committees_officer_sees_every_earlier_report_with_its_status_but_cannot_open_them(
        client, history, factory):
    officer_c = factory.user(role=Role.OFFICER, committee=history.committee_c)
    login_user(client, officer_c)
    html = client.get(f"/staff/applications/{history.application.id}").get_data(as_text=True)
    rows = _rows(html)
    statuses = [row.split('data-report-status="')[1].split('"')[0] for row in rows]
    # Newest due date first; the returned report is past its due date, so owed again (grants.followup).
    assert statuses == ["submitted", "overdue", "overdue", "approved"]
    text = " ".join(rows)
    for expected in ("Inlämnad", "Försenad", "Godkänd", "Delredovisning",
                     "Slutredovisning", history.a.committee.name, history.b.committee.name,
                     history.a.application.reference, "2026-02-01"):
        assert expected in text, expected
    assert "/monitoring/reports/" not in text and "/grants/" not in text
    assert client.get(f"/monitoring/reports/{history.approved.id}").status_code == 403


def test_the_granting_committees_officer_can_open_its_own_reports_only(client, history, factory, session):
    officer = factory.user(role=Role.OFFICER, committee=history.committee_c)
    from portal.models import RoleGrant

    session.add(RoleGrant(user_id=officer.id, role=Role.OFFICER.value, committee_id=history.a.committee.id))
    session.commit()
    login_user(client, officer)
    text = " ".join(_rows(client.get(f"/staff/applications/{history.application.id}").get_data(as_text=True)))
    assert f"/monitoring/reports/{history.approved.id}" in text
    assert f"/grants/{history.a.grant.id}" in text
    assert f"/monitoring/reports/{history.returned.id}" not in text
    assert f"/grants/{history.b.grant.id}" not in text


def test_coordinator_can_open_every_earlier_report(client, history, factory):
    login_user(client, factory.user(role=Role.COORDINATOR))
    text = " ".join(_rows(client.get(f"/staff/applications/{history.application.id}").get_data(as_text=True)))
    for report in (history.approved, history.returned, history.submitted):
        assert f"/monitoring/reports/{report.id}" in text


def test_a_draft_report_counts_as_not_handed_in_and_the_panel_is_one_query(app, history, session, factory, now,
                                                                           count_queries):
    from flask_login import login_user as flask_login_user

    from monitoring.views import earlier_reports_panel
    from portal.auth.sessions import start_session
    from portal.clock import utcnow

    _report(factory, history.a, history.final_a, "draft", now)
    officer_c = factory.user(role=Role.OFFICER, committee=history.committee_c)
    start_session(session, officer_c, now=utcnow())  # the server-side session a login starts
    session.flush()
    with app.test_request_context():
        flask_login_user(officer_c)
        assert officer_c.is_staff  # the logged-in user is loaded before the page renders panels
        assert history.application.organisation_id  # loaded by the application page
        with count_queries() as counter:
            html = str(earlier_reports_panel(history.application))
    assert html.count('data-report-status="overdue"') == 2  # the draft's and the returned report's
    assert counter.count == 1


def test_an_organisation_without_earlier_grants_has_an_empty_panel(client, history, factory, build, session, now):
    other = build.organisation()
    history.application.organisation_id = other.id
    session.commit()
    login_user(client, factory.user(role=Role.OFFICER, committee=history.committee_c))
    html = client.get(f"/staff/applications/{history.application.id}").get_data(as_text=True)
    assert "Inga redovisningar för tidigare bidrag." in html
