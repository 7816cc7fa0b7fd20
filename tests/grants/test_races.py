"""Money and authority hold when two people act at the same moment (issue 14, point 1).

Each race runs two threads, each with its own app context and so its own session and database
connection (a file SQLite database, or the suite's PostgreSQL), that load the same objects, wait
at a barrier, and then call the same service at once. Every race is run for several rounds, so
without the database deciding (a conditional update, a lock on the row that owns the limit) both
threads win in some round."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eligibility import services as eligibility
from eligibility.models import WithdrawalCase
from grants import payments, services
from grants.models import Application, Decision, Grant, RepaymentClaim, Tranche
from portal.errors import Conflict, DomainError
from portal.extensions import db
from portal.models import AuditEvent, Role, User

ROUNDS = 10


def race(app, load, act):
    """Two threads: each `load(session)`s its own copies, then both `act(session, loaded)` at
    once and commit. Returns their outcomes: "won", or the DomainError that refused it."""
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[object] = [None, None]

    def run(i):
        with app.app_context():
            session = db.session
            try:
                loaded = load(session)
                barrier.wait()
                act(session, loaded)
                session.commit()
                outcomes[i] = "won"
            except DomainError as error:
                session.rollback()
                outcomes[i] = error
            except Exception as error:  # noqa: BLE001  (reported by the test, not lost in the thread)
                session.rollback()
                outcomes[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def _one_won(outcomes, loser=DomainError):
    assert sorted(type(o).__name__ for o in outcomes if o != "won") == [loser.__name__], outcomes
    assert outcomes.count("won") == 1, outcomes


def test_two_officers_marking_the_same_tranche_paid_pay_it_once(app, factory, session, now):
    committee = factory.committee()
    officer = factory.officer(committee)
    grant = factory.grant(committee=committee, requested=ROUNDS * 1_000_00,
                          tranches=[factory.tranche_input(date(2026, 4, 1), 1_000_00) for _ in range(ROUNDS)])
    for tranche in grant.tranches:
        factory.release(tranche, by=officer)
    tranche_ids, officer_id = [t.id for t in grant.tranches], officer.id
    session.commit()

    for tranche_id in tranche_ids:
        outcomes = race(app, lambda s: (s.get(Tranche, tranche_id), s.get(User, officer_id)),
                        lambda s, loaded: payments.mark_tranche_paid(s, loaded[0], by=loaded[1], now=now))
        _one_won(outcomes, Conflict)
        session.expire_all()
        assert session.get(Tranche, tranche_id).status == "paid"
        assert session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "tranche.paid", AuditEvent.object_id == str(tranche_id))) == 1


def test_two_claims_raised_at_once_never_claim_more_than_was_paid(app, factory, session, now):
    committee = factory.committee()
    officer = factory.officer(committee)
    grant = factory.grant(committee=committee, requested=10_000_00)
    factory.pay(grant.tranches[0], by=officer)
    grant_id, officer_id = grant.id, officer.id

    for _ in range(ROUNDS):
        outcomes = race(app, lambda s: (s.get(Grant, grant_id), s.get(User, officer_id)),
                        lambda s, loaded: payments.raise_repayment_claim(
                            s, loaded[0], amount=6_000_00, reason="Brott mot villkoren.", due_on=None, by=loaded[1],
                            now=now))
        _one_won(outcomes)
        session.expire_all()
        raised = session.scalars(select(RepaymentClaim).where(RepaymentClaim.grant_id == grant_id,
                                                              RepaymentClaim.status == "raised")).all()
        assert len(raised) == 1
        # Waived, the claim frees the money for the next round's race.
        payments.waive_repayment_claim(session, raised[0], reason="Nästa runda.", by=session.get(User, officer_id),
                                       now=now)
        session.commit()


def _withdrawal_case_ready_to_decide(session, factory, organisation, officer, coordinator, now) -> int:
    finding = eligibility.report_finding(
        session, organisation=organisation, conduct_on=date(2026, 1, 15), category="incitement",
        actor_kind="board_member", actor_name="Kalle Styrelse", source_category="media",
        evidence="Tal den 15 januari.", by=officer, reporting_committee_id=None, now=now)
    session.flush()
    return eligibility.assess_finding(session, finding, confirm=True, reason="Talet uppmanar till våld.",
                                      by=coordinator, now=now).id


def test_a_claim_raised_by_hand_and_a_withdrawal_at_once_never_claim_more_than_was_paid(app, factory, session,
                                                                                        now):
    # An officer claims back the whole tranche paid after the date of conduct while the coordinator
    # withdraws all support, which proposes a claim for the same tranche. One of them claims it.
    committee = factory.committee()
    officer, coordinator = factory.officer(committee), factory.user(role=Role.COORDINATOR)
    rounds = []
    for _ in range(ROUNDS):
        grant = factory.grant(committee=committee, organisation=factory.organisation(), requested=10_000_00)
        factory.pay(grant.tranches[0], at=datetime(2026, 2, 1), by=officer)
        rounds.append((grant.id, _withdrawal_case_ready_to_decide(session, factory, grant.organisation, officer,
                                                                  coordinator, now)))
    officer_id, coordinator_id = officer.id, coordinator.id
    session.commit()
    after_reply_period = now + timedelta(days=15)

    for grant_id, case_id in rounds:
        def load(s, turns=iter(["by hand", "withdrawal"])):
            return next(turns), s.get(Grant, grant_id), s.get(WithdrawalCase, case_id)

        def act(s, loaded):
            turn, grant, case = loaded
            if turn == "by hand":
                payments.raise_repayment_claim(s, grant, amount=10_000_00, reason="Brott mot villkoren.",
                                               due_on=None, by=s.get(User, officer_id), now=after_reply_period)
            else:
                eligibility.decide_case(s, case, withdraw=True, reason="Svaret ändrar inget.",
                                        by=s.get(User, coordinator_id), now=after_reply_period)

        outcomes = race(app, load, act)
        # The withdrawal always goes through; the claim by hand is refused if it came second.
        assert outcomes.count("won") >= 1 and all(o == "won" or type(o) is DomainError for o in outcomes), outcomes
        session.expire_all()
        assert session.get(WithdrawalCase, case_id).status == "withdrawn"
        claims = session.scalars(select(RepaymentClaim).where(RepaymentClaim.grant_id == grant_id)).all()
        assert [claim.amount for claim in claims] == [10_000_00], outcomes


def _decidable(factory, programme, organisation):
    application = factory.application(programme, organisation, requested=40_000_00, submit=True)
    factory.plan(application)
    factory.eligible_screening(application)
    return application.id


def test_two_approvals_at_once_never_take_a_programme_over_its_budget(app, factory, session, now):
    committee = factory.committee()
    decider_id = factory.decision_maker(committee).id
    organisations = [factory.organisation(), factory.organisation()]
    rounds = []
    for _ in range(ROUNDS):
        programme = factory.programme(committee, budget=60_000_00)
        rounds.append((programme.id, [_decidable(factory, programme, org) for org in organisations]))
    session.commit()

    for programme_id, application_ids in rounds:
        def load(s, ids=iter(application_ids)):
            application = s.get(Application, next(ids))
            return application, s.get(User, decider_id)

        outcomes = race(app, load, lambda s, loaded: services.decide(
            s, loaded[0], outcome="approve", amount=None, reasons="Bra.", conditions="", tranches=None,
            expected_version=loaded[0].version, by=loaded[1], now=now))
        _one_won(outcomes)
        refusal = next(o for o in outcomes if o != "won")
        assert refusal.field == "amount" and "budget" in refusal.message
        assert session.scalar(select(func.coalesce(func.sum(Grant.amount), 0))
                              .where(Grant.programme_id == programme_id)) == 40_000_00


def test_two_decision_makers_deciding_the_same_application_make_one_decision(app, factory, session, now):
    committee = factory.committee()
    deciders = [factory.decision_maker(committee).id, factory.decision_maker(committee).id]
    organisation = factory.organisation()
    application_ids = []
    for _ in range(ROUNDS):
        programme = factory.programme(committee, budget=1_000_000_00)
        application_ids.append(_decidable(factory, programme, organisation))
    session.commit()

    for application_id in application_ids:
        def load(s, who=iter(deciders)):
            return s.get(Application, application_id), s.get(User, next(who))

        outcomes = race(app, load, lambda s, loaded: services.decide(
            s, loaded[0], outcome="approve", amount=None, reasons="Bra.", conditions="", tranches=None,
            expected_version=loaded[0].version, by=loaded[1], now=now))
        _one_won(outcomes, Conflict)
        assert session.scalar(select(func.count(Decision.id)).where(Decision.application_id == application_id)) == 1


@pytest.mark.parametrize("move", ["mark_repaid", "waive"])
def test_two_officers_handling_the_same_claim_handle_it_once(app, factory, session, now, move):
    committee = factory.committee()
    officer = factory.officer(committee)
    grant = factory.grant(committee=committee, requested=10_000_00)
    factory.pay(grant.tranches[0], by=officer)
    claim_ids = [payments.raise_repayment_claim(session, grant, amount=1_000_00, reason="Brott.", due_on=None,
                                                by=officer, now=now).id for _ in range(ROUNDS)]
    officer_id = officer.id
    session.commit()

    def act(s, loaded):
        claim, by = loaded
        if move == "waive":
            payments.waive_repayment_claim(s, claim, reason="Särskilda skäl.", by=by, now=now)
        else:
            payments.mark_repayment_paid(s, claim, by=by, now=now)

    for claim_id in claim_ids:
        outcomes = race(app, lambda s: (s.get(RepaymentClaim, claim_id), s.get(User, officer_id)), act)
        _one_won(outcomes, Conflict)
        assert session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "repayment_claim", AuditEvent.object_id == str(claim_id),
            AuditEvent.action != "repayment_claim.raised")) == 1
