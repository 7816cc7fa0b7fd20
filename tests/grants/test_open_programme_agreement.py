""""Open programme" is one rule (Programme.is_open_on) and "covers a district" another
(Programme.covers_district): the public list, the API, starting an application and the closing
job agree on the same programmes, and the page's district filter gives what the API's gives."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grants import services
from grants.models import Programme
from portal.errors import DomainError
from portal.models import Role


@pytest.fixture
def programmes(world, factory, session):
    committee = factory.committee("Spånga-Tensta stadsdelsnämnd")
    made = {
        "draft": world.programme(committee, published=False),
        "opens tomorrow": world.programme(committee, opens=1, closes=30),
        "opened today": world.programme(committee, opens=0, closes=30),
        "closes today": world.programme(committee, opens=-30, closes=0),
        "closed yesterday": world.programme(committee, opens=-30, closes=-1),
    }
    made["opened today"].districts = ["Spånga-Tensta"]
    made["closes today"].districts = ["Älvsjö", "Spånga-Tensta"]
    session.commit()
    return made


OPEN = {"opened today", "closes today"}


def _titles(programmes, names):
    return {programmes[name].title for name in names}


def test_the_list_the_api_and_starting_an_application_agree_on_what_is_open(client, session, world, factory,
                                                                             programmes, now):
    assert {name for name, p in programmes.items() if p.is_open_on(now.date())} == OPEN
    page = client.get("/programmes").get_data(as_text=True)
    assert {name for name, p in programmes.items() if p.title in page} == OPEN
    api = {item["title"] for item in client.get("/api/v1/programmes?per_page=100").json["items"]}
    assert api == _titles(programmes, OPEN)
    for name, programme in programmes.items():
        assert (client.get(f"/api/v1/programmes/{programme.id}").status_code == 200) == (name in OPEN)

    representative = factory.user(role=Role.APPLICANT)
    organisation = world.organisation(representative=representative)
    for name, programme in programmes.items():
        try:
            services.start_application(session, programme=programme, organisation=organisation,
                                       by=representative, now=now)
            started = True
        except DomainError:
            started = False
        session.rollback()
        assert started == (name in OPEN), name


def test_the_closing_job_closes_exactly_the_programmes_past_their_window(session, programmes, now):
    services.close_ended_programmes(session, now)
    session.commit()
    closed = set(session.scalars(select(Programme.title).where(Programme.status == "closed")))
    assert closed == _titles(programmes, {"closed yesterday"})


@pytest.mark.parametrize("district", ["Spånga-Tensta", "Älvsjö", "Spånga", "spånga-tensta", "älvsjö", "ÄLVSJÖ"])
def test_the_page_and_the_api_filter_by_district_alike(client, programmes, district):
    page = client.get("/programmes", query_string={"district": district}).get_data(as_text=True)
    on_page = {title for title in _titles(programmes, programmes) if title in page}
    api = {item["title"] for item in client.get("/api/v1/programmes", query_string={"district": district,
                                                                                   "per_page": 100}).json["items"]}
    assert on_page == api
    expected = {"spånga-tensta": {"opened today", "closes today"}, "älvsjö": {"closes today"}}.get(district.lower(), set())
    assert api == _titles(programmes, expected)
