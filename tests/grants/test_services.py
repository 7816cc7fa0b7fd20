from datetime import date, timedelta

import pytest
from sqlalchemy import select

from grants import payments, services
from grants.models import Application, Decision, Grant, Tranche
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import AuditEvent, OutboxMessage, Role


@pytest.fixture(autouse=True)
def english_messages(app):
    """Rule messages are matched in English here; the pages' tests check the Swedish ones."""
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        yield


def _submit(s, session, now):
    services.submit_application(session, s.application, by=s.applicant, now=now)
    session.commit()


def _ready_for_decision(s, world, session, now):
    _submit(s, session, now)
    world.complete_plan(s.application, s.officer)


def _decide(s, session, now, outcome="approve", amount=None, **kw):
    return services.decide(session, s.application, outcome=outcome, amount=amount, reasons="Väl underbyggd ansökan.",
                           conditions="Redovisa per kön.", tranches=kw.pop("tranches", None),
                           expected_version=kw.pop("expected_version", s.application.version), by=kw.pop("by", s.decider),
                           now=now, **kw)


def test_money_in_kronor_becomes_exact_ore():
    from grants.money import parse_kronor

    assert parse_kronor("1 234,50") == 123450
    assert parse_kronor("1234.50") == 123450
    assert parse_kronor("0,10") == 10
    with pytest.raises(DomainError):
        parse_kronor("12,345")
    with pytest.raises(DomainError):
        parse_kronor("tio")


def test_submission_gives_a_reference_freezes_screens_and_mails_the_representatives(scenario, session, now):
    _submit(scenario, session, now)
    app = scenario.application
    assert app.reference == f"2026-{app.id:06d}"
    assert app.status == "submitted"
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == scenario.applicant.email))
    from eligibility.models import Screening
    assert session.scalar(select(Screening).where(Screening.application_id == app.id)).trigger == "submitted"
    with pytest.raises(DomainError):
        services.save_step(session, app, 1, {"title": "Ändrad"}, by=scenario.applicant, now=now)


def test_submission_without_a_published_rule_set_still_succeeds(world, factory, session, now):
    committee = factory.committee()
    applicant = factory.user(role=Role.APPLICANT)
    org = world.organisation(representative=applicant)
    app = world.filled_application(world.programme(committee), org, applicant)
    services.submit_application(session, app, by=applicant, now=now)
    assert app.status == "submitted"


def test_closed_programme_refuses_submission(scenario, session, now):
    later = now + timedelta(days=60)
    with pytest.raises(DomainError, match="closed"):
        services.submit_application(session, scenario.application, by=scenario.applicant, now=later)


@pytest.mark.parametrize("expires_in_days,reason", [(-1, "expired"), (None, "not signed")])
def test_missing_or_expired_declaration_refuses_submission(world, factory, session, now, expires_in_days, reason):
    committee = factory.committee()
    applicant = factory.user(role=Role.APPLICANT)
    world.declaration_text()
    org = world.organisation(representative=applicant, signed=expires_in_days is not None,
                             expires_in_days=expires_in_days or 0)
    app = world.filled_application(world.programme(committee), org, applicant)
    with pytest.raises(DomainError, match=reason):
        services.submit_application(session, app, by=applicant, now=now)


def test_new_declaration_version_requires_a_new_signature(scenario, world, session, now):
    world.declaration_text(version=2)
    with pytest.raises(DomainError, match="new version"):
        services.submit_application(session, scenario.application, by=scenario.applicant, now=now)


def test_barred_organisation_cannot_submit(scenario, session, now):
    scenario.organisation.status = "barred"
    with pytest.raises(DomainError, match="barred"):
        services.submit_application(session, scenario.application, by=scenario.applicant, now=now)


def test_requested_amount_is_checked_against_maximum_and_budget(scenario, session, now):
    values = {"period_start": date(2026, 4, 1), "period_end": date(2026, 12, 31),
              "budget_lines": [services.BudgetLineInput("Personal", 50_000_00, 5_000_00, 5_000_00)]}
    with pytest.raises(DomainError, match="budget") as error:
        services.save_step(session, scenario.application, 4, {**values, "requested_amount": 40_000_01},
                           by=scenario.applicant, now=now)
    assert error.value.field == "requested_amount"
    session.rollback()
    scenario.programme.max_per_grant = 30_000_00
    with pytest.raises(DomainError, match="maximum"):
        services.save_step(session, scenario.application, 4, {**values, "requested_amount": 35_000_00},
                           by=scenario.applicant, now=now)


def test_returned_application_is_edited_and_resubmitted(scenario, session, now):
    _submit(scenario, session, now)
    services.return_for_completion(session, scenario.application, message="Komplettera budgeten.",
                                   by=scenario.officer, now=now)
    session.commit()
    assert scenario.application.status == "returned"
    services.save_step(session, scenario.application, 5, {"partners": "Biblioteket"}, by=scenario.applicant, now=now)
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.commit()
    assert scenario.application.status == "submitted"
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "application",
                                                              AuditEvent.object_id == str(scenario.application.id)))
    assert {"application.returned", "application.resubmitted"} <= set(actions)


def test_applicant_withdraws_before_decision_but_not_after(scenario, world, factory, session, now):
    other_applicant = factory.user(role=Role.APPLICANT)
    early = world.filled_application(scenario.programme, world.organisation(representative=other_applicant),
                                     other_applicant)
    services.submit_application(session, early, by=other_applicant, now=now)
    with pytest.raises(PermissionDenied):
        services.withdraw_application(session, early, by=scenario.applicant, now=now)
    services.withdraw_application(session, early, by=other_applicant, now=now)
    assert early.status == "withdrawn"
    _ready_for_decision(scenario, world, session, now)
    _decide(scenario, session, now, outcome="reject")
    session.commit()
    with pytest.raises(DomainError):
        services.withdraw_application(session, scenario.application, by=scenario.applicant, now=now)


def test_declared_conflict_of_interest_blocks_scoring_and_is_audited(scenario, session, now):
    _submit(scenario, session, now)
    review = services.assign_reviewer(session, scenario.application, reviewer=scenario.officer, by=scenario.officer,
                                      now=now)
    services.declare_conflict(session, review, has_conflict=True, reason="Min bror sitter i styrelsen.",
                              by=scenario.officer, now=now)
    session.commit()
    scores = {c.id: (5, "") for c in scenario.programme.criteria}
    with pytest.raises(DomainError, match="conflict"):
        services.submit_review(session, review, scores=scores, recommendation="approve", comment="",
                               by=scenario.officer, now=now)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review.conflict_declared"))
    assert event.reason == "Min bror sitter i styrelsen."


def test_weighted_score_ignores_conflicted_reviewers(scenario, factory, session, now):
    _submit(scenario, session, now)
    other = factory.user(role=Role.OFFICER, committee=scenario.committee)
    conflicted = factory.user(role=Role.OFFICER, committee=scenario.committee)
    relevance, feasibility = scenario.programme.criteria
    for reviewer, conflict, scores in [(scenario.officer, False, (5, 2)), (other, False, (3, 3)),
                                       (conflicted, True, None)]:
        review = services.assign_reviewer(session, scenario.application, reviewer=reviewer, by=scenario.officer,
                                          now=now)
        services.declare_conflict(session, review, has_conflict=conflict, reason="jäv" if conflict else "",
                                  by=reviewer, now=now)
        if scores:
            services.submit_review(session, review, scores={relevance.id: (scores[0], "bra"),
                                                            feasibility.id: (scores[1], "")},
                                   recommendation="approve", comment="", by=reviewer, now=now)
    # (5*2 + 2*1 + 3*2 + 3*1) / (2+1+2+1) = 21/6 = 3.5
    assert str(services.weighted_score(scenario.application)) == "3.50"


def test_reviewer_must_be_officer_of_the_committee(scenario, factory, session, now):
    _submit(scenario, session, now)
    outsider = factory.user(role=Role.OFFICER)
    with pytest.raises(DomainError):
        services.assign_reviewer(session, scenario.application, reviewer=outsider, by=scenario.officer, now=now)
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(session, scenario.application, reviewer=outsider, by=outsider, now=now)


def test_approval_creates_grant_tranches_letter_and_audit(scenario, world, session, now):
    _ready_for_decision(scenario, world, session, now)
    decision = _decide(scenario, session, now)
    session.commit()
    grant = session.scalar(select(Grant).where(Grant.application_id == scenario.application.id))
    assert decision.outcome == "approve" and grant.amount == 40_000_00
    assert [t.amount for t in grant.tranches] == [40_000_00]
    assert decision.letter_pdf.startswith(b"%PDF")
    assert "laglighetsprövning" in decision.appeal_info
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"decision.made", "grant.created", "follow_up_plan.saved"} <= actions




def test_no_rule_set_refuses_approval_with_a_clear_message(world, factory, session, now):
    committee = factory.committee()
    officer = factory.user(role=Role.OFFICER, committee=committee)
    decider = factory.user(role=Role.DECISION_MAKER, committee=committee)
    applicant = factory.user(role=Role.APPLICANT)
    app = world.filled_application(world.programme(committee), world.organisation(representative=applicant), applicant)
    services.submit_application(session, app, by=applicant, now=now)
    world.complete_plan(app, officer)
    with pytest.raises(DomainError, match="screening"):
        services.decide(session, app, outcome="approve", amount=None, reasons="x", conditions="", tranches=None,
                        expected_version=app.version, by=decider, now=now)



def test_partial_approval_and_tranche_sums(scenario, world, session, now):
    _ready_for_decision(scenario, world, session, now)
    milestone = scenario.application.plan.milestones[0]
    _decide(scenario, session, now, outcome="partly_approve", amount=30_000_00, tranches=[
        services.TrancheInput(date(2026, 4, 1), 20_000_00),
        services.TrancheInput(date(2026, 9, 1), 10_000_00, "milestone_approved", milestone.id)])
    session.commit()
    grant = session.scalar(select(Grant))
    assert grant.amount == 30_000_00 and len(grant.tranches) == 2



def test_stale_concurrent_decision_gets_a_conflict_and_overwrites_nothing(scenario, world, session, now, app):
    from portal.extensions import db

    _ready_for_decision(scenario, world, session, now)
    app_id, seen_version = scenario.application.id, scenario.application.version
    from sqlalchemy.orm import Session as OrmSession

    second = OrmSession(db.engine)
    try:
        second_app = second.get(Application, app_id)
        second_decider = second.get(type(scenario.decider), scenario.decider.id)
        # Everything the second decision maker's page read is loaded before the other decision lands,
        # so only the versioned UPDATE can notice it.
        assert second_app.decision is None and second_app.plan is not None
        second_app.programme.criteria
        second_app.organisation.status
        _decide(scenario, session, now, outcome="reject")
        session.commit()
        with pytest.raises(Conflict):
            services.decide(second, second_app, outcome="approve", amount=None, reasons="Bifall",
                            conditions="", tranches=None, expected_version=seen_version, by=second_decider, now=now)
        second.rollback()
    finally:
        second.close()
    session.expire_all()
    assert session.scalar(select(Decision)).outcome == "reject"
    assert session.scalar(select(Grant)) is None



def test_tranches_are_released_only_when_allowed(scenario, world, session, now):
    _ready_for_decision(scenario, world, session, now)
    milestone = scenario.application.plan.milestones[0]
    _decide(scenario, session, now, outcome="approve", tranches=[
        services.TrancheInput(date(2026, 3, 1), 20_000_00),
        services.TrancheInput(date(2026, 3, 1), 20_000_00, "milestone_approved", milestone.id)])
    session.commit()
    first, second = session.scalars(select(Tranche).order_by(Tranche.id)).all()
    assert payments.releasable_tranches(session, now) == [first]
    with pytest.raises(DomainError, match="report"):
        payments.release_tranche(session, second, by=None, now=now)
    milestone.report_approved_at = now
    assert payments.releasable_tranches(session, now) == [first, second]
    scenario.organisation.status = "barred"
    session.flush()
    assert payments.releasable_tranches(session, now) == []
    with pytest.raises(DomainError, match="barred"):
        payments.release_tranche(session, first, by=scenario.officer, now=now)
    scenario.organisation.status = "active"
    payments.release_tranche(session, first, by=None, now=now)
    payments.mark_tranche_paid(session, first, by=scenario.officer, now=now)
    session.commit()
    assert first.status == "paid"
    claim = payments.raise_repayment_claim(session, first.grant, amount=5_000_00, reason="Ej genomförd aktivitet",
                                           due_on=date(2026, 6, 1), by=scenario.officer, now=now)
    assert claim.status == "raised"
    with pytest.raises(DomainError):
        payments.raise_repayment_claim(session, first.grant, amount=20_000_00, reason="För mycket", due_on=None,
                                       by=scenario.officer, now=now)
