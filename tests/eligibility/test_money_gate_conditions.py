"""eligibility.money_gate: each condition refuses with its own reason, and the SQL clause the
scheduler's query uses lets through exactly the organisations `money_refusal` lets through."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eligibility.money_gate import money_may_move_clause, money_refusal
from organisations.models import Organisation


def _organisations(factory, now):
    """One organisation in each state, by the reason money must stop (None: it may move)."""
    orgs = {None: factory.organisation()}
    orgs["barred"] = factory.organisation()
    factory.force_status(orgs["barred"], "barred")
    orgs["under_notice"] = factory.organisation()
    factory.force_status(orgs["under_notice"], "under_notice")
    orgs["confirmed_finding"] = factory.organisation()
    factory.finding(orgs["confirmed_finding"], category="discrimination", confirm=True)
    orgs["no_valid_declaration"] = factory.organisation(signed=False)
    factory.sign_declaration(orgs["no_valid_declaration"], expires_at=now - timedelta(days=1))
    dismissed = factory.organisation()
    factory.finding(dismissed, category="anti_democratic", confirm=False)
    return orgs, dismissed


def test_each_condition_refuses_with_its_reason_and_the_clause_agrees(factory, session, now):
    orgs, dismissed = _organisations(factory, now)
    session.commit()
    for reason, organisation in orgs.items():
        refusal = money_refusal(session, organisation, now)
        assert (refusal.condition if refusal else None) == reason
        assert refusal is None or refusal.message  # said in plain words
    assert money_refusal(session, dismissed, now) is None  # a dismissed finding stops nothing
    let_through = set(session.scalars(select(Organisation.id).where(money_may_move_clause(now))))
    assert let_through == {orgs[None].id, dismissed.id}
