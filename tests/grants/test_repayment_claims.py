"""Repayment claims (återkrav) from the grant page: a claim the withdrawal proposed is confirmed and
sent, then marked repaid, or waived with a reason; only officers of the granting committee do it,
and every step is audited (issue 4, point 6)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eligibility import services as eligibility_services
from grants import payments, services
from grants.models import Grant, RepaymentClaim
from portal.models import AuditEvent, OutboxMessage, Role
from tests.conftest import login


def _login(client, user):
    client.post("/logout")
    assert login(client, user.email).status_code == 302


@pytest.fixture
def withdrawn(scenario, world, factory, session, now):
    """A grant paid out, then withdrawn after conduct before the payment: the withdrawal proposes a claim."""
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    services.decide(session, scenario.application, outcome="approve", amount=None, reasons="Bra", conditions="",
                    tranches=None, expected_version=scenario.application.version, by=scenario.decider, now=now)
    grant = session.scalar(select(Grant))
    payments.release_tranche(session, grant.tranches[0], by=scenario.officer, now=now)
    payments.mark_tranche_paid(session, grant.tranches[0], by=scenario.officer, now=now)
    coordinator = factory.user(role=Role.COORDINATOR)
    finding = eligibility_services.report_finding(
        session, organisation=scenario.organisation, conduct_on=now.date() - timedelta(days=5), category="incitement",
        actor_kind="organisation", actor_name="", source_category="media", evidence="Tal som hyllar våld.",
        by=scenario.officer, reporting_committee_id=scenario.committee.id, now=now)
    session.flush()
    case = eligibility_services.assess_finding(session, finding, confirm=True, reason="Styrkt.", by=coordinator,
                                               now=now)
    eligibility_services.decide_case(session, case, withdraw=True, reason="Indraget.", by=coordinator,
                                     now=now + timedelta(days=15))
    session.commit()
    scenario.grant = grant
    scenario.claim = session.scalar(select(RepaymentClaim))
    assert scenario.claim.status == "proposed" and scenario.claim.amount == grant.amount
    return scenario


def _actions(session, claim):
    return session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "repayment_claim",
                                                           AuditEvent.object_id == str(claim.id))
                           .order_by(AuditEvent.id)).all()


def test_officer_confirms_the_proposed_claim_and_the_organisation_is_told(client, withdrawn, session):
    _login(client, withdrawn.officer)
    page = client.get(f"/grants/{withdrawn.grant.id}").get_data(as_text=True)
    assert "Föreslaget av indragningen: ska bekräftas" in page
    response = client.post(f"/claims/{withdrawn.claim.id}/confirm", data={"due_on": "2026-04-30"})
    assert response.status_code == 302
    session.expire_all()
    assert withdrawn.claim.status == "raised" and withdrawn.claim.due_on == date(2026, 4, 30)
    assert withdrawn.claim.sent_at is not None
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == withdrawn.applicant.email,
                                                       OutboxMessage.subject.like("%terbetalning%"))).all()
    assert len(mail) == 1 and "2026-04-30" in mail[0].body
    assert "Skickat till organisationen" in client.get(f"/grants/{withdrawn.grant.id}").get_data(as_text=True)

    client.post(f"/claims/{withdrawn.claim.id}/paid")
    session.expire_all()
    assert withdrawn.claim.status == "paid" and withdrawn.claim.paid_at is not None
    assert _actions(session, withdrawn.claim) == ["repayment_claim.proposed", "repayment_claim.confirmed",
                                                  "repayment_claim.paid"]
    # A repaid claim can no longer be waived.
    client.post(f"/claims/{withdrawn.claim.id}/waive", data={"waiver_reason": "Glömt"})
    session.expire_all()
    assert withdrawn.claim.status == "paid"


def test_the_organisation_sees_the_claim_only_once_it_is_sent(client, withdrawn, session):
    _login(client, withdrawn.applicant)
    assert 'data-claim-status' not in client.get(f"/grants/{withdrawn.grant.id}").get_data(as_text=True)
    _login(client, withdrawn.officer)
    client.post(f"/claims/{withdrawn.claim.id}/confirm", data={"due_on": "2026-04-30"})
    _login(client, withdrawn.applicant)
    page = client.get(f"/grants/{withdrawn.grant.id}").get_data(as_text=True)
    assert 'data-claim-status="raised"' in page and "Skickat till organisationen" in page
    assert "/confirm" not in page and "/waive" not in page


def test_confirming_needs_a_due_date_that_is_not_past(client, withdrawn, session):
    _login(client, withdrawn.officer)
    client.post(f"/claims/{withdrawn.claim.id}/confirm", data={})
    session.expire_all()
    assert withdrawn.claim.status == "proposed"
    response = client.post(f"/claims/{withdrawn.claim.id}/confirm", data={"due_on": "2026-01-01"},
                           follow_redirects=True)
    assert "Förfallodagen kan inte ligga i det förflutna." in response.get_data(as_text=True)
    session.expire_all()
    assert withdrawn.claim.status == "proposed"


def test_waiving_needs_a_reason_which_is_shown_and_audited(client, withdrawn, session):
    _login(client, withdrawn.officer)
    response = client.post(f"/claims/{withdrawn.claim.id}/waive", data={"waiver_reason": " "}, follow_redirects=True)
    assert "Ange skälet till att kravet efterges." in response.get_data(as_text=True)
    session.expire_all()
    assert withdrawn.claim.status == "proposed"
    client.post(f"/claims/{withdrawn.claim.id}/waive", data={"waiver_reason": "Föreningen är upplöst."})
    session.expire_all()
    assert withdrawn.claim.status == "waived" and withdrawn.claim.waiver_reason == "Föreningen är upplöst."
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "repayment_claim.waived"))
    assert event.reason == "Föreningen är upplöst." and event.actor_id == withdrawn.officer.id
    page = client.get(f"/grants/{withdrawn.grant.id}").get_data(as_text=True)
    assert "Efterskänkt: Föreningen är upplöst." in page


@pytest.mark.parametrize("who", ["other_committee_officer", "own_decision_maker", "applicant", "coordinator"])
def test_only_officers_of_the_granting_committee_handle_claims(client, withdrawn, factory, session, who):
    user = {"other_committee_officer": lambda: factory.user(role=Role.OFFICER, committee=factory.committee()),
            "own_decision_maker": lambda: withdrawn.decider,
            "applicant": lambda: withdrawn.applicant,
            "coordinator": lambda: factory.user(role=Role.COORDINATOR)}[who]()
    _login(client, user)
    claim_id = withdrawn.claim.id
    assert client.post(f"/claims/{claim_id}/confirm", data={"due_on": "2026-04-30"}).status_code == 403
    assert client.post(f"/claims/{claim_id}/waive", data={"waiver_reason": "Nej"}).status_code == 403
    assert client.post(f"/claims/{claim_id}/paid").status_code == 403
    session.expire_all()
    assert withdrawn.claim.status == "proposed"
    page = client.get(f"/grants/{withdrawn.grant.id}")
    assert page.status_code == 403 or f"/claims/{claim_id}/confirm" not in page.get_data(as_text=True)


def test_the_service_refuses_another_committees_officer(withdrawn, factory, session, now):
    from portal.errors import PermissionDenied

    stranger = factory.user(role=Role.OFFICER, committee=factory.committee())
    with pytest.raises(PermissionDenied):
        payments.confirm_repayment_claim(session, withdrawn.claim, due_on=date(2026, 4, 30), by=stranger, now=now)
    with pytest.raises(PermissionDenied):
        payments.waive_repayment_claim(session, withdrawn.claim, reason="x", by=stranger, now=now)
