"""Officers see the organisation's eligibility status on every application and grant page, and
in the lists (issue 5, point 5)."""
import pytest
from sqlalchemy import select

from grants import services
from grants.models import Grant
from portal.models import Role
from tests.conftest import login


def _login(client, user):
    client.post("/logout")
    assert login(client, user.email).status_code == 302


@pytest.fixture
def granted(scenario, world, session, now):
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    services.decide(session, scenario.application, outcome="approve", amount=None, reasons="Bra", conditions="",
                    tranches=None, expected_version=scenario.application.version, by=scenario.decider, now=now)
    session.commit()
    scenario.grant = session.scalar(select(Grant))
    return scenario


def _badge(html):
    start = html.index('data-eligibility="')
    return html[start:html.index("</p>", start)]


@pytest.mark.parametrize("status, kind, text", [
    ("active", "eligible", "Uppfyller villkoren"),
    ("under_notice", "under_notice", "Underrättad om indragning"),
    ("barred", "barred", "Avstängd: allt stöd indraget"),
])
def test_officer_sees_eligibility_on_application_and_grant_pages(client, granted, session, status, kind, text):
    granted.organisation.status = status
    session.commit()
    _login(client, granted.officer)
    for url in (f"/staff/applications/{granted.application.id}", f"/grants/{granted.grant.id}"):
        badge = _badge(client.get(url).get_data(as_text=True))
        assert badge.startswith(f'data-eligibility="{kind}"') and text in badge, url
    listed = client.get("/staff/applications").get_data(as_text=True)
    assert f'<td data-eligibility="{kind}">{text}</td>' in listed
    listed = client.get("/staff/grants").get_data(as_text=True)
    assert f'<td data-eligibility="{kind}">{text}</td>' in listed


def test_needs_assessment_and_not_screened_are_told_apart_in_the_list(client, scenario, world, factory, session,
                                                                       now):
    from eligibility.models import Screening

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.scalar(select(Screening)).outcome = "needs_assessment"
    applicant = factory.user(role=Role.APPLICANT)
    other = world.filled_application(scenario.programme, world.organisation(representative=applicant), applicant)
    services.submit_application(session, other, by=applicant, now=now)
    session.query(Screening).filter(Screening.application_id == other.id).delete()
    session.commit()
    _login(client, scenario.officer)
    listed = client.get("/staff/applications").get_data(as_text=True)
    assert '<td data-eligibility="needs_assessment">Villkoren behöver bedömas</td>' in listed
    assert '<td data-eligibility="not_screened">Inte granskad</td>' in listed


def test_the_applicant_sees_no_staff_badge_on_their_grant(client, granted):
    _login(client, granted.applicant)
    page = client.get(f"/grants/{granted.grant.id}").get_data(as_text=True)
    assert "data-eligibility" not in page


def test_grant_list_queries_do_not_grow_with_organisations(client, granted, world, factory, session, now,
                                                           count_queries):
    _login(client, granted.officer)
    with count_queries() as few:
        client.get("/staff/grants")
    for _ in range(4):
        applicant = factory.user(role=Role.APPLICANT)
        app = world.filled_application(granted.programme, world.organisation(representative=applicant), applicant,
                                       requested=5_000_00)
        services.submit_application(session, app, by=applicant, now=now)
        world.complete_plan(app, granted.officer)
        services.decide(session, app, outcome="approve", amount=None, reasons="Bra", conditions="", tranches=None,
                        expected_version=app.version, by=granted.decider, now=now)
    session.commit()
    with count_queries() as many:
        page = client.get("/staff/grants").get_data(as_text=True)
    assert page.count('data-eligibility="eligible"') == 5
    assert many.count == few.count
