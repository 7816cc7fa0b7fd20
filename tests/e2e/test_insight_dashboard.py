"""A coordinator finds the outcomes across committees; a visitor finds the open data."""
from datetime import date

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD, committee_by_name, seed_portal
from portal.extensions import db
from tests.monitoring.insight.conftest import World

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_app(app, now, factory):
    seed_portal(db.session, now)  # committees and demo users only: the figures below are known
    world = World(db.session, factory, now)
    committee = committee_by_name(db.session, "Rinkeby-Kista stadsdelsnämnd")
    org = world.organisation("Föreningen Bron", districts=["Rinkeby"])
    world.grant(org, world.programme(committee, "targeted"), 75_000, date(2026, 1, 1), date(2026, 12, 31),
                paid_kr=[25_000])
    db.session.commit()
    return app


def test_coordinator_reads_a_chart_and_its_table_filtered_by_year(demo_app, page):
    page.goto("/login")
    page.get_by_label("E-postadress").fill("samordnare@demo.stad.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Resultat").click()
    page.get_by_label("År").select_option("2026")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**year=2026**")
    expect(page.get_by_role("img", name="Pengar per nämnd")).to_be_visible()
    table = page.get_by_role("table", name="Pengar per nämnd")
    assert "75\u00a0000,00\u00a0kr" in table.inner_text()


def test_visitor_finds_open_data_from_the_welcome_page(demo_app, page):
    page.goto("/")
    page.get_by_role("link", name="Öppna data om bidrag").click()
    expect(page.get_by_role("heading", name="Öppna data om bidrag")).to_be_visible()
    response = page.request.get("/open-data/360giving/grants.json")
    assert response.json()["grants"][0]["recipientOrganization"][0]["name"] == "Föreningen Bron"
