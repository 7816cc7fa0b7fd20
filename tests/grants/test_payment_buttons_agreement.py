"""Which payment buttons the grant page shows is asked of the payment rules themselves
(grants.payments.*_refusal through can_release / can_mark_paid / can_cancel / can_handle_claim):
for every tranche and claim, and for each kind of user, a button is on the page exactly when the
service would accept the move."""
from __future__ import annotations

from datetime import date

import pytest

from grants import payments
from portal.errors import DomainError
from tests.conftest import login

TRANCHE_MOVES = {
    "release": lambda s, t, u, now: payments.release_tranche(s, t, by=u, now=now),
    "paid": lambda s, t, u, now: payments.mark_tranche_paid(s, t, by=u, now=now),
    "cancel": lambda s, t, u, now: payments.cancel_tranche(s, t, by=u, now=now),
}
CLAIM_MOVES = {
    "confirm": lambda s, c, u, now: payments.confirm_repayment_claim(s, c, due_on=date(2026, 6, 1), by=u, now=now),
    "paid": lambda s, c, u, now: payments.mark_repayment_paid(s, c, by=u, now=now),
    "waive": lambda s, c, u, now: payments.waive_repayment_claim(s, c, reason="Skäl.", by=u, now=now),
}


def _accepted(session, move) -> bool:
    try:
        move()
        return True
    except DomainError:
        return False
    finally:
        session.rollback()


@pytest.fixture
def grant(factory, session, now):
    committee = factory.committee()
    officer = factory.officer(committee)
    tranches = [factory.tranche_input(date(2026, 4, 1 + n), 8_000_00) for n in range(5)]
    grant = factory.grant(committee=committee, officer=officer, requested=40_000_00, tranches=tranches)
    paid, released, scheduled, cancelled, _spare = sorted(grant.tranches, key=lambda t: t.due_on)
    factory.pay(paid, by=officer)
    factory.release(released, by=officer)
    factory.cancel(cancelled, by=officer)
    raised, waived, repaid = (payments.raise_repayment_claim(session, grant, amount=2_000_00, reason=f"Krav {n}",
                                                             due_on=date(2026, 6, 1), by=officer, now=now)
                              for n in range(3))
    payments.waive_repayment_claim(session, waived, reason="Efterges.", by=officer, now=now)
    payments.mark_repayment_paid(session, repaid, by=officer, now=now)
    session.commit()
    return grant, officer


@pytest.mark.parametrize("who", ["officer of the committee", "coordinator"])
@pytest.mark.parametrize("barred", [False, True], ids=["active organisation", "barred organisation"])
def test_the_page_shows_a_button_exactly_when_the_service_accepts_the_move(client, session, factory, grant, now,
                                                                           who, barred):
    grant, officer = grant
    if barred:
        factory.force_status(grant.organisation, "barred")
    user = officer if who == "officer of the committee" else factory.coordinator()
    login(client, user.email)
    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    assert grant.application.reference in page
    for tranche in grant.tranches:
        for name, move in TRANCHE_MOVES.items():
            shown = f'action="/tranches/{tranche.id}/{name}"' in page
            accepted = _accepted(session, lambda: move(session, tranche, user, now))
            assert shown == accepted, (tranche.status, name, who)
    for claim in grant.repayment_claims:
        for name, move in CLAIM_MOVES.items():
            shown = f'action="/claims/{claim.id}/{name}"' in page
            accepted = _accepted(session, lambda: move(session, claim, user, now))
            assert shown == accepted, (claim.status, name, who)


def test_the_officer_sees_the_moves_a_fresh_grant_allows(client, session, grant):
    grant, officer = grant
    login(client, officer.email)
    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    scheduled = [t for t in grant.tranches if t.status == "scheduled"]
    released = [t for t in grant.tranches if t.status == "released"]
    assert scheduled and released
    assert all(f'action="/tranches/{t.id}/release"' in page for t in scheduled)
    assert all(f'action="/tranches/{t.id}/paid"' in page for t in released)
