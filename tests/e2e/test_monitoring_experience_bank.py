"""In the browser: an officer evaluates a grant and shares it; an officer of another committee finds it."""
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from monitoring import scheduler
from monitoring.models import Evaluation
from portal.models import Role
from tests.factories import DEFAULT_PASSWORD
from tests.monitoring.conftest import MonitoringBuilder

pytestmark = pytest.mark.e2e


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")


def test_an_evaluation_shared_in_one_committee_is_found_by_another_committees_officer(app, session, factory, now,
                                                                                    page):
    build = MonitoringBuilder(session, factory, now)
    world = build.grant(committee=factory.committee("Spånga-Tensta stadsdelsnämnd"),
                        title="Filmklubb om källkritik", method="Filmvisning", target_group="Unga 13-17")
    scheduler.run_job(session, "due_evaluations", datetime(2027, 3, 1, 6))
    assert session.scalar(select(Evaluation)) is not None
    other_officer = factory.user(role=Role.OFFICER, committee=factory.committee("Skarpnäck stadsdelsnämnd"))

    log_in(page, world.officer.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Utvärderingar").click()
    page.get_by_role("link", name="Filmklubb om källkritik").click()
    page.locator("#rating-3").check()
    page.get_by_label("Vad som fungerade", exact=True).fill("Samtalen efter filmerna.")
    page.get_by_label("Vad som inte fungerade").fill("Ljudet i lokalen.")
    page.get_by_label("Lärdomar", exact=True).fill("Korta filmer och långa samtal fungerar bäst för källkritik.")
    page.get_by_label("Skala upp").check()
    page.get_by_label("Dela lärdomarna med alla nämnder i erfarenhetsbanken").check()
    page.get_by_role("button", name="Slutför utvärderingen").click()
    expect(page.get_by_text("Utvärderingen är slutförd.")).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()

    log_in(page, other_officer.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Erfarenhetsbank").click()
    page.get_by_label("Sökord").fill("källkritik")
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name="Filmklubb om källkritik").click()
    expect(page.get_by_text("Korta filmer och långa samtal fungerar bäst för källkritik.")).to_be_visible()
    expect(page.get_by_text("Spånga-Tensta stadsdelsnämnd")).to_be_visible()
