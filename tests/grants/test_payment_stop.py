"""A confirmed finding stops payments at once (issue 15, point 1; grants.payment_stop): whatever its
category, in the same transaction as the confirmation every active grant of the organisation has its
unpaid tranches stopped, a stop-payment decision is stored with its letter, audited, and the
representatives are told. Lifting the finding (closing its case without withdrawal) resumes them."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eligibility import services as eligibility_services
from grants import payments
from grants.models import PaymentStop, Tranche
from portal.models import AuditEvent, OutboxMessage, Role
from tests.conftest import login


@pytest.fixture
def grants_of(world, factory, session, now):
    """An organisation with two active grants in two committees: one with a paid, a released and a
    scheduled tranche, the other with one scheduled tranche."""
    applicant = factory.user(role=Role.APPLICANT, email="ordforande@forening.example")
    organisation = world.organisation(representative=applicant, expires_in_days=300)
    world.rule_set()
    grants = []
    for tranche_count in (3, 1):
        committee = factory.committee()
        officer = factory.user(role=Role.OFFICER, committee=committee)
        grant = factory.grant(committee=committee, organisation=organisation, officer=officer,
                              requested=30_000_00 * tranche_count,
                              tranches=[factory.tranche_input(now.date(), 30_000_00) for _ in range(tranche_count)])
        grants.append(grant)
    paid, released, _scheduled = sorted(grants[0].tranches, key=lambda t: t.id)
    factory.pay(paid)
    factory.release(released)
    session.commit()
    return organisation, grants, applicant


def _confirm(session, factory, organisation, category, now):
    coordinator = factory.user(role=Role.COORDINATOR)
    finding = eligibility_services.report_finding(
        session, organisation=organisation, conduct_on=now.date(), category=category, actor_kind="organisation",
        actor_name="", source_category="media", evidence="Tal på möte.", by=coordinator,
        reporting_committee_id=None, now=now)
    session.flush()
    eligibility_services.assess_finding(session, finding, confirm=True, reason="Styrkt.", by=coordinator, now=now)
    return finding, coordinator


def _statuses(grant):
    return [t.status for t in sorted(grant.tranches, key=lambda t: t.id)]


@pytest.mark.parametrize("category", ["violence", "incitement", "discrimination", "anti_democratic", "association"])
def test_confirming_a_finding_stops_every_unpaid_tranche_with_letter_mail_and_audit(category, grants_of, factory,
                                                                                  session, now):
    organisation, (first, second), applicant = grants_of
    finding, _coordinator = _confirm(session, factory, organisation, category, now)
    session.commit()
    session.expire_all()

    assert _statuses(first) == ["paid", "stopped", "stopped"] and _statuses(second) == ["stopped"]
    assert first.status == second.status == "active"  # withdrawal comes after the notice, if at all
    stops = session.scalars(select(PaymentStop).where(PaymentStop.finding_id == finding.id)
                            .order_by(PaymentStop.grant_id)).all()
    assert [(s.grant_id, s.stopped_amount) for s in stops] == [(first.id, 60_000_00), (second.id, 30_000_00)]
    assert all(s.letter_pdf.startswith(b"%PDF") for s in stops)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(
        ["payment_stop.decided", "tranche.stopped"]))).all()
    assert sorted(actions) == ["payment_stop.decided"] * 2 + ["tranche.stopped"] * 3
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == applicant.email,
                                                       OutboxMessage.subject.like("%stopp%"))).all()
    assert {m.subject for m in mail} == {f"Utbetalningarna stoppas för bidraget {g.application.reference}"
                                         for g in (first, second)}
    assert not [t for t in payments.releasable_tranches(session, now + timedelta(days=30))
                if t.grant.organisation_id == organisation.id]


def test_the_stop_letter_says_what_is_stopped_and_why_in_the_letter_language(grants_of, factory, session, now):
    organisation, (first, _second), _applicant = grants_of
    first.application.decision.letter_locale = "en"
    session.commit()
    _confirm(session, factory, organisation, "discrimination", now)
    session.commit()
    stop = session.scalar(select(PaymentStop).where(PaymentStop.grant_id == first.id))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(stop.letter_pdf)).pages)
    assert "Decision to stop payments" in text and first.application.reference in text
    assert "breaks the democracy conditions" in text and "60" in text


def test_a_dismissed_finding_stops_nothing(grants_of, factory, session, now):
    organisation, (first, second), _applicant = grants_of
    factory.finding(organisation, category="discrimination", confirm=False)
    session.expire_all()
    assert _statuses(first) == ["paid", "released", "scheduled"] and _statuses(second) == ["scheduled"]
    assert session.scalar(select(PaymentStop.id)) is None


def test_closing_the_case_without_withdrawal_lifts_the_finding_and_resumes_the_payments(grants_of, factory, session,
                                                                                       now):
    organisation, (first, _second), _applicant = grants_of
    finding, coordinator = _confirm(session, factory, organisation, "incitement", now)
    session.commit()
    case = eligibility_services.open_case_for(session, organisation.id)
    later = case.reply_deadline + timedelta(minutes=1)
    eligibility_services.decide_case(session, case, withdraw=False, reason="Föreningen har tagit avstånd.",
                                     by=coordinator, now=later)
    session.commit()
    session.expire_all()
    assert finding.lifted_at == later and organisation.status == "active"
    assert _statuses(first) == ["paid", "scheduled", "scheduled"]
    released = sorted(first.tranches, key=lambda t: t.id)[1]
    payments.release_tranche(session, released, by=None, now=later)  # the gate lets it through again
    assert released.status == "released"


def test_withdrawal_after_the_notice_cancels_the_stopped_tranches(grants_of, factory, session, now):
    organisation, (first, second), _applicant = grants_of
    _finding, coordinator = _confirm(session, factory, organisation, "violence", now)
    session.commit()
    case = eligibility_services.open_case_for(session, organisation.id)
    eligibility_services.decide_case(session, case, withdraw=True, reason="Våld.", by=coordinator,
                                     now=case.reply_deadline + timedelta(minutes=1))
    session.commit()
    session.expire_all()
    assert _statuses(first) == ["paid", "cancelled", "cancelled"] and _statuses(second) == ["cancelled"]


def test_another_standing_finding_keeps_the_payments_stopped_after_one_is_lifted(grants_of, factory, session, now):
    organisation, (first, _second), _applicant = grants_of
    _confirm(session, factory, organisation, "discrimination", now)
    _finding, coordinator = _confirm(session, factory, organisation, "incitement", now)
    session.commit()
    case = eligibility_services.open_case_for(session, organisation.id)
    eligibility_services.decide_case(session, case, withdraw=False, reason="Avstånd.", by=coordinator,
                                     now=case.reply_deadline + timedelta(minutes=1))
    session.commit()
    session.expire_all()
    assert _statuses(first) == ["paid", "stopped", "stopped"]


def test_the_grant_page_tells_the_organisation_why_and_offers_the_letter(grants_of, factory, session, now, client):
    organisation, (first, _second), applicant = grants_of
    _confirm(session, factory, organisation, "anti_democratic", now)
    session.commit()
    login(client, applicant.email)
    page = client.get(f"/grants/{first.id}").get_data(as_text=True)
    assert "Inga pengar betalas ut nu." in page
    assert "bryter mot demokrativillkoren" in page
    stop = session.scalar(select(PaymentStop).where(PaymentStop.grant_id == first.id))
    letter = client.get(f"/grants/{first.id}/payment-stops/{stop.id}/letter")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    stranger = factory.user(role=Role.APPLICANT)
    client.post("/logout")
    login(client, stranger.email)
    assert client.get(f"/grants/{first.id}/payment-stops/{stop.id}/letter").status_code in (403, 404)

