"""From a confirmed finding to the withdrawal of all support, in every committee, all or nothing."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eligibility import services
from eligibility.models import CaseStatus, WithdrawalCase
from grants import payments, withdrawal
from grants.models import Application, Grant, RepaymentClaim, Tranche
from organisations.models import Organisation
from portal.errors import PermissionDenied
from portal.models import AuditEvent, OutboxMessage, Role

CONDUCT = date(2026, 1, 15)


@pytest.fixture
def coordinator(factory):
    return factory.user(role=Role.COORDINATOR)


def confirmed_case(session, org, reporter, coordinator, now, category="incitement"):
    finding = services.report_finding(
        session, organisation=org, conduct_on=CONDUCT, category=category, actor_kind="board_member",
        actor_name="Kalle Styrelse", source_category="media", evidence="Tal den 15 januari.", by=reporter,
        reporting_committee_id=None, now=now)
    session.flush()
    case = services.assess_finding(session, finding, confirm=True, reason="Talet uppmanar till våld.",
                                   by=coordinator, now=now)
    session.commit()
    return case


@pytest.fixture
def world(session, build, factory, now):
    """One organisation with grants in three committees, in every state."""
    committees = [factory.committee() for _ in range(3)]
    staff = [factory.user(role=Role.OFFICER, committee=c) for c in committees]
    deciders = [factory.user(role=Role.DECISION_MAKER, committee=c) for c in committees]
    rep = factory.user(role=Role.APPLICANT)
    org = build.organisation(email="info@forening.example", representative=rep)
    before_conduct, after_conduct = datetime(2026, 1, 5), datetime(2026, 2, 1)
    grants = {
        "active_a": build.grant(org, committees[0], tranches=[("paid", before_conduct), ("paid", after_conduct),
                                                                ("released", None), ("scheduled", None)]),
        "active_b": build.grant(org, committees[1], tranches=[("scheduled", None), ("cancelled", None)]),
        "completed": build.grant(org, committees[2], status="completed", tranches=[("paid", after_conduct)]),
        "withdrawn": build.grant(org, committees[2], status="withdrawn", tranches=[("paid", after_conduct),
                                                                                    ("cancelled", None)]),
    }
    programme = build.programme(committees[2])
    applications = {s: build.application(org, programme, status=s)
                    for s in ("draft", "submitted", "in_review", "returned", "withdrawn", "closed_ineligible")}
    other_org = build.organisation()
    other_grant = build.grant(other_org, committees[0], tranches=[("scheduled", None)])
    session.commit()
    return dict(committees=committees, staff=staff, deciders=deciders, org=org, rep=rep, grants=grants,
                applications=applications, other_grant=other_grant)


def snapshot(session):
    """Everything a withdrawal may change."""
    return {
        "grants": sorted(session.execute(select(Grant.id, Grant.status, Grant.ended_at)).all()),
        "tranches": sorted(session.execute(select(Tranche.id, Tranche.status)).all()),
        "applications": sorted(session.execute(select(Application.id, Application.status)).all()),
        "claims": session.scalar(select(func.count(RepaymentClaim.id))),
        "audit": session.scalar(select(func.count(AuditEvent.id))),
        "outbox": session.scalar(select(func.count(OutboxMessage.id))),
        "cases": sorted(session.execute(select(WithdrawalCase.id, WithdrawalCase.status)).all()),
        "org_status": sorted(session.execute(select(Organisation.id, Organisation.status)).all()),
    }


def test_confirmed_incitement_puts_the_organisation_under_notice_and_mails_its_representatives(
        session, world, coordinator, now):
    org = world["org"]
    case = confirmed_case(session, org, world["staff"][0], coordinator, now)
    assert org.status == "under_notice"
    assert case.reply_deadline == now + timedelta(days=14)
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.dedup_key.like("notice:%"))).all()
    assert {m.to_address for m in mails} == {world["rep"].email, "info@forening.example"}
    assert all("förvaltningslagen 25 §" in m.body for m in mails)  # (the stop-payment mail comes beside it)
    # Nothing is withdrawn yet.
    assert world["grants"]["active_a"].status == "active"


def test_a_confirmed_finding_of_discrimination_opens_no_withdrawal_case(session, world, coordinator, now):
    org = world["org"]
    finding = services.report_finding(
        session, organisation=org, conduct_on=CONDUCT, category="discrimination", actor_kind="organisation",
        actor_name="", source_category="media", evidence="x", by=coordinator, reporting_committee_id=None, now=now)
    assert services.assess_finding(session, finding, confirm=True, reason="Bekräftad.", by=coordinator,
                                   now=now) is None
    assert org.status == "active"


def test_coordinator_cannot_decide_before_the_reply_deadline(session, world, coordinator, now):
    case = confirmed_case(session, world["org"], coordinator, coordinator, now)
    # A reply given at the deadline itself still counts, so nobody may decide until it has passed.
    for too_early in (case.reply_deadline - timedelta(minutes=1), case.reply_deadline):
        assert case.takes_replies(too_early)
        with pytest.raises(services.NoticeDeadlineNotPassed):
            services.decide_case(session, case, withdraw=True, reason="Nu.", by=coordinator, now=too_early)
        session.rollback()
    after = case.reply_deadline + timedelta(minutes=1)
    assert not case.takes_replies(after)
    services.decide_case(session, case, withdraw=True, reason="Svaret ändrar inget.", by=coordinator, now=after)
    session.commit()
    assert world["org"].status == "barred"


def test_withdrawal_ends_all_support_in_every_committee(session, world, coordinator, now):
    org, grants, apps = world["org"], world["grants"], world["applications"]
    case = confirmed_case(session, org, world["staff"][0], coordinator, now)
    decided_at = case.reply_deadline + timedelta(days=1)
    services.decide_case(session, case, withdraw=True, reason="Svaret ändrar inget.", by=coordinator, now=decided_at)
    session.commit()
    session.expire_all()

    assert org.status == "barred" and case.status == CaseStatus.WITHDRAWN.value
    assert grants["active_a"].status == grants["active_b"].status == "withdrawn"
    assert grants["active_a"].ended_at == decided_at and "indragningsärende" in grants["active_a"].end_reason
    assert grants["completed"].status == "completed"  # finished grants are history, not support
    assert [t.status for t in grants["active_a"].tranches] == ["paid", "paid", "cancelled", "cancelled"]
    assert [t.status for t in grants["active_b"].tranches] == ["cancelled", "cancelled"]
    assert {a: apps[a].status for a in apps} == {
        "draft": "closed_ineligible", "submitted": "closed_ineligible", "in_review": "closed_ineligible",
        "returned": "closed_ineligible", "withdrawn": "withdrawn", "closed_ineligible": "closed_ineligible"}
    assert apps["draft"].closed_reason
    # Claims for money paid after the conduct: active_a's second tranche and the completed grant's.
    claims = session.scalars(select(RepaymentClaim)).all()
    assert sorted((c.grant_id, c.amount, c.status) for c in claims) == sorted([
        (grants["active_a"].id, 20_000_00, "proposed"), (grants["completed"].id, 20_000_00, "proposed")])
    # Another organisation's grant is untouched.
    assert world["other_grant"].status == "active" and world["other_grant"].tranches[0].status == "scheduled"
    # Every affected committee's officers and decision makers are told.
    addresses = set(session.scalars(select(OutboxMessage.to_address)
                                    .where(OutboxMessage.subject.like("%" + org.name + "%"))))
    assert addresses == {u.email for u in world["staff"] + world["deciders"]}
    # The withdrawal's own events (the fixture's withdrawn grant was ended, audited, earlier).
    actions = [a for (a,) in session.execute(select(AuditEvent.action).where(AuditEvent.at == decided_at))]
    assert actions.count("grant.withdrawn") == 2 and actions.count("tranche.cancelled") == 3
    assert actions.count("application.closed_ineligible") == 4 and "organisation.status_changed" in actions


def test_a_tranche_cancelled_by_a_withdrawal_is_audited_as_one_cancelled_by_hand(session, world, coordinator, now):
    grant = world["grants"]["active_a"]
    released, scheduled = grant.tranches[2], grant.tranches[3]
    with pytest.raises(PermissionDenied):  # by hand, the coordinator is not the committee's officer
        payments.cancel_tranche(session, released, by=coordinator, now=now)
    payments.cancel_tranche(session, released, by=world["staff"][0], now=now, reason="Aktiviteten ställdes in.")
    session.commit()
    case = confirmed_case(session, world["org"], world["staff"][0], coordinator, now)
    services.decide_case(session, case, withdraw=True, reason="Svaret ändrar inget.", by=coordinator,
                         now=case.reply_deadline + timedelta(minutes=1))
    session.commit()

    events = {e.object_id: e for e in session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "tranche", AuditEvent.object_id.in_([str(released.id), str(scheduled.id)])))}
    by_hand, by_withdrawal = events[str(released.id)], events[str(scheduled.id)]
    assert by_hand.action == by_withdrawal.action == "tranche.cancelled"
    assert (by_hand.actor_id, by_withdrawal.actor_id) == (world["staff"][0].id, coordinator.id)
    assert by_hand.changes == {"status": ["released", "cancelled"], "grant_id": grant.id, "amount": released.amount}
    # The confirmation stopped the scheduled tranche at once (grants.payment_stop); the withdrawal cancels it.
    assert by_withdrawal.changes == {"status": ["stopped", "cancelled"], "grant_id": grant.id,
                                     "amount": scheduled.amount, "withdrawal_case_id": case.id}
    assert "indragningsärende" in by_withdrawal.reason


def test_a_failure_in_the_middle_of_a_withdrawal_changes_nothing(session, world, coordinator, now, monkeypatch):
    case = confirmed_case(session, world["org"], world["staff"][0], coordinator, now)
    before = snapshot(session)
    calls = []
    real_end_grant = withdrawal.end_grant

    def end_grant_then_fail(*args, **kwargs):
        real_end_grant(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:  # after the first grant is already withdrawn
            raise RuntimeError("database hiccup")

    monkeypatch.setattr(withdrawal, "end_grant", end_grant_then_fail)
    with pytest.raises(RuntimeError):
        services.decide_case(session, case, withdraw=True, reason="Svaret ändrar inget.", by=coordinator,
                             now=case.reply_deadline + timedelta(days=1))
    session.rollback()
    session.expire_all()
    assert snapshot(session) == before
    assert world["org"].status == "under_notice"
    assert session.get(WithdrawalCase, case.id).status == "open"


def test_closing_without_withdrawal_lifts_the_notice(session, world, coordinator, now):
    case = confirmed_case(session, world["org"], coordinator, coordinator, now)
    services.decide_case(session, case, withdraw=False, reason="Svaret visar att talet citerades fel.",
                         by=coordinator, now=case.reply_deadline + timedelta(minutes=1))
    session.commit()
    assert world["org"].status == "active" and world["grants"]["active_a"].status == "active"


def test_reinstatement_lifts_the_bar_but_does_not_revive_grants(session, world, coordinator, now):
    case = confirmed_case(session, world["org"], coordinator, coordinator, now)
    services.decide_case(session, case, withdraw=True, reason="Indragning.", by=coordinator, now=case.reply_deadline + timedelta(minutes=1))
    session.commit()
    with pytest.raises(services.DomainError):
        services.reinstate(session, world["org"], reason=" ", by=coordinator, now=case.reply_deadline)
    services.reinstate(session, world["org"], reason="Ny styrelse har tagit avstånd.", by=coordinator,
                       now=case.reply_deadline + timedelta(days=200))
    session.commit()
    assert world["org"].status == "active"
    assert world["grants"]["active_a"].status == "withdrawn"
    assert all(t.status in ("paid", "cancelled") for t in world["grants"]["active_a"].tranches)
    assert case.reinstatement_reason == "Ny styrelse har tagit avstånd."


def test_reply_is_accepted_until_the_deadline(session, world, coordinator, now):
    case = confirmed_case(session, world["org"], coordinator, coordinator, now)
    with pytest.raises(services.DomainError):
        services.reply_to_notice(session, case, text="Sent svar.", by=world["rep"],
                                 now=case.reply_deadline + timedelta(minutes=1))
    services.reply_to_notice(session, case, text="Vi tar avstånd.", by=world["rep"], now=case.reply_deadline)
    session.commit()
    assert case.reply_text == "Vi tar avstånd."


def test_a_withdrawal_case_cancels_only_its_own_organisations_tranches(session, world, coordinator, factory, now):
    case = confirmed_case(session, world["org"], world["staff"][0], coordinator, now)
    services.decide_case(session, case, withdraw=True, reason="Svaret ändrar inget.", by=coordinator,
                         now=case.reply_deadline + timedelta(minutes=1))
    session.commit()
    elsewhere = factory.grant().tranches[0]
    with pytest.raises(PermissionDenied):
        payments.cancel_tranche(session, elsewhere, by=coordinator, now=now, withdrawal_case=case)
    session.rollback()
    assert elsewhere.status == "scheduled"
