"""The notice's reply period is one rule (WithdrawalCase.takes_replies / reply_period_over): the
services, the notice page, the case page, the API and the notice e-mail agree on it, also at the
deadline itself (a reply then still counts, so nobody may decide yet)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eligibility import services
from portal.admin.services import update_user
from portal.api.tokens import create_token
from portal.formatting import format_dt
from portal.models import OutboxMessage, Role
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("rule_set")


@pytest.fixture
def case(session, build, factory, now):
    representative = factory.user(role=Role.APPLICANT)
    org = build.organisation(email="kansli@forening.example", representative=representative)
    coordinator = factory.user(role=Role.COORDINATOR)
    former = build.representative(org)  # an admin has since closed this account
    update_user(session, former, name=former.name, active=False, by=coordinator, now=now)
    finding = services.report_finding(session, organisation=org, conduct_on=date(2026, 2, 1), category="violence",
                                      actor_kind="organisation", actor_name="", source_category="media",
                                      evidence="x", by=coordinator, reporting_committee_id=None, now=now)
    session.flush()
    case = services.assess_finding(session, finding, confirm=True, reason="Hot mot deltagare.", by=coordinator,
                                   now=now)
    session.commit()
    return case, representative, coordinator


@pytest.mark.parametrize("offset", [timedelta(minutes=-1), timedelta(0), timedelta(minutes=1)],
                         ids=["before the deadline", "at the deadline", "after the deadline"])
def test_pages_api_and_services_agree_on_the_reply_period(session, app, client, case, offset):
    case, representative, coordinator = case
    moment = case.reply_deadline + offset
    app.config["FIXED_NOW"] = moment
    replies, decides = case.takes_replies(moment), case.reply_period_over(moment)
    assert replies != decides or offset == timedelta(0)  # at the deadline: a reply still counts

    login(client, representative.email)
    notice_page = client.get(f"/eligibility/organisations/{case.organisation_id}/notice").get_data(as_text=True)
    assert ('name="text"' in notice_page) == replies
    client.post("/logout")

    login(client, coordinator.email)
    case_page = client.get(f"/eligibility/cases/{case.id}").get_data(as_text=True)
    assert ('name="reason"' in case_page) == decides
    _row, token = create_token(session, coordinator, name="test", days=None, by=coordinator, now=moment)
    session.commit()
    api_case = client.get(f"/api/v1/withdrawal-cases/{case.id}", headers={"Authorization": f"Bearer {token}"}).json
    assert api_case["deadline_passed"] == decides

    for service, allowed in ((lambda: services.reply_to_notice(session, case, text="Vi tar avstånd.",
                                                                by=representative, now=moment), replies),
                             (lambda: services.decide_case(session, case, withdraw=False, reason="Stängs.",
                                                           by=coordinator, now=moment), decides)):
        try:
            service()
            accepted = True
        except services.DomainError:
            accepted = False
        session.rollback()
        assert accepted == allowed


def test_the_notice_mail_names_the_deadline_as_the_pages_do(session, app, client, case):
    case, representative, _coordinator = case
    bodies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.dedup_key.like("notice:%"))).all()
    with app.test_request_context():
        shown = format_dt(case.reply_deadline)
    assert bodies and all(shown in body for body in bodies)
    login(client, representative.email)
    assert shown in client.get(f"/eligibility/organisations/{case.organisation_id}/notice").get_data(as_text=True)


def test_the_notice_goes_to_every_acting_representative_and_the_organisations_own_address(session, case):
    case, representative, _coordinator = case
    addresses = set(session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.dedup_key.like("notice:%"))))
    assert addresses == {representative.email, "kansli@forening.example"}
