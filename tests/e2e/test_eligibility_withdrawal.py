"""A coordinator takes an organisation from a reported finding to withdrawal of all support."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from eligibility.models import WithdrawalCase
from eligibility.services import ensure_default_rule_set
from portal.models import Role
from tests.eligibility.conftest import Builder

pytestmark = pytest.mark.e2e


def test_coordinator_takes_an_organisation_from_finding_to_withdrawal(app, page, session, factory, now):
    ensure_default_rule_set(session, now)
    build = Builder(session, factory, now)
    committee = factory.committee()
    org = build.organisation()
    grant = build.grant(org, committee, tranches=[("scheduled", None)])
    session.commit()
    coordinator = factory.user(role=Role.COORDINATOR)

    page.goto("/login")
    page.get_by_label("E-postadress").fill(coordinator.email)
    page.get_by_label("Lösenord").fill("correct-horse-battery")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/")

    page.goto(f"/eligibility/organisations/{org.id}")
    page.get_by_role("link", name="Rapportera en iakttagelse").click()
    page.get_by_label("Datum för händelsen").fill("2026-02-20")
    page.get_by_label("Kategori").select_option("incitement")
    page.get_by_label("Vem som agerade").select_option("board_member")
    page.get_by_label("Personens namn").fill("Kalle Styrelse")
    page.get_by_label("Källa").select_option("media")
    page.get_by_label("Underlag").fill("Tal på torget den 20 februari, inspelat.")
    page.get_by_role("button", name="Rapportera iakttagelsen").click()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Iakttagelser").click()
    page.get_by_role("link", name=org.name).click()
    page.get_by_label("Bekräfta").check()
    page.get_by_label("Skäl").fill("Talet uppmanar till våld mot en namngiven grupp.")
    page.get_by_role("button", name="Spara bedömningen").click()
    page.wait_for_url("**/eligibility/cases/*")
    assert "förvaltningslagen 25 §" in page.locator(".notice-text").inner_text()
    assert page.locator("[data-eligibility]").get_attribute("data-eligibility") == "under_notice"

    case = session.query(WithdrawalCase).one()
    app.config["FIXED_NOW"] = case.reply_deadline + timedelta(hours=1)
    page.reload()
    page.get_by_label("Dra in allt stöd").check()
    page.get_by_label("Skäl").fill("Organisationen har inte tagit avstånd.")
    page.get_by_role("button", name="Spara beslutet").click()
    assert page.locator("[data-eligibility]").get_attribute("data-eligibility") == "barred"
    expect(page.get_by_text("Stödet indraget").first).to_be_visible()
    session.expire_all()
    assert grant.status == "withdrawn" and grant.tranches[0].status == "cancelled"
