"""Each demo role logs in and sees its own navigation; the language switch works."""
import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD, run_seeders
from portal.extensions import db

pytestmark = pytest.mark.e2e

EXPECTED_ADMIN_LINK = {
    "admin@demo.stad.example": True,
    "samordnare@demo.stad.example": False,
    "handlaggare@demo.stad.example": False,
    "beslutsfattare@demo.stad.example": False,
    "sokande@demo.stad.example": False,
}


@pytest.fixture
def demo_app(app, now):
    run_seeders(app, db.session, now)
    return app


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("email", list(EXPECTED_ADMIN_LINK))
def test_each_demo_role_sees_its_own_navigation(demo_app, page, email):
    log_in(page, email)
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Start")).to_be_visible()
    assert (nav.get_by_role("link", name="Administration").count() == 1) == EXPECTED_ADMIN_LINK[email]
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("link", name="Logga in").first).to_be_visible()


def test_switch_language_and_use_the_keyboard(demo_app, page):
    log_in(page, "admin@demo.stad.example")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, Alva Admin")).to_be_visible()
    # The skip link is the first stop for the keyboard and moves focus to the content.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("link", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"


def test_admin_creates_a_committee_in_the_browser(demo_app, page):
    log_in(page, "admin@demo.stad.example")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Nämnder").click()
    page.get_by_role("link", name="Ny nämnd").click()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Ange nämndens namn.")).to_be_visible()
    page.get_by_label("Namn").fill("Bostadsbolaget Exempel AB")
    page.get_by_label("Typ").select_option("housing_company")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("link", name="Bostadsbolaget Exempel AB")).to_be_visible()
