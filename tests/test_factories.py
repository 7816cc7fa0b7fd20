"""The one test data builder (tests/factories) makes what the application makes: valid
organisation numbers, and grants that pass the checks a real grant passes, in every package's
words for it."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from stdnum.se import orgnr

from eligibility.screening import latest_valid_screening
from grants.models import Decision, Grant
from grants.services import plan_problems
from organisations.declarations import declaration_status
from portal.models import AuditEvent, OutboxMessage, Role
from tests.factories import org_number


def test_every_organisation_number_the_builder_makes_is_valid_and_new():
    numbers = [org_number() for _ in range(500)] + [org_number("5") for _ in range(10)]
    assert [n for n in numbers if not orgnr.is_valid(n)] == []
    assert len(set(numbers)) == len(numbers)


def test_two_organisations_built_get_distinct_valid_numbers(factory):
    first, second = factory.organisation(), factory.organisation()
    assert first.org_number != second.org_number
    assert orgnr.is_valid(first.org_number) and orgnr.is_valid(second.org_number)


def test_every_package_builds_organisations_with_valid_numbers(session, factory, now):
    from tests.api.conftest import ApiWorld
    from tests.eligibility.conftest import Builder
    from tests.grants.conftest import GrantsWorld
    from tests.monitoring.conftest import MonitoringBuilder
    from tests.monitoring.insight.conftest import World

    built = [GrantsWorld(session, factory, now).organisation(), Builder(session, factory, now).organisation(),
             Builder(session, factory, now).organisation(papers=False),
             MonitoringBuilder(session, factory, now).organisation(), World(session, factory, now).organisation("I"),
             ApiWorld(session, factory, now).organisation()]
    numbers = [o.org_number for o in built]
    assert all(orgnr.is_valid(n) for n in numbers) and len(set(numbers)) == len(numbers)


def assert_real_grant(session, grant: Grant, *, full_plan: bool = True) -> None:
    """What every grant in the application has: an approving decision made through decide() by a
    decision maker of the committee (audited), tranches adding up to the amount, the application
    decided, and (unless the test set its plan apart) a complete follow-up plan."""
    decision = session.get(Decision, grant.decision_id)
    assert decision.outcome in ("approve", "partly_approve") and decision.amount == grant.amount
    assert decision.letter_pdf and decision.appeal_info
    decider = decision.decided_by
    assert decider.has_committee_role(Role.DECISION_MAKER, grant.committee_id)
    audited = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "decision",
                                                              AuditEvent.object_id == str(decision.id))).all()
    assert "decision.made" in audited
    assert grant.tranches and sum(t.amount for t in grant.tranches) == grant.amount
    assert grant.application.status == "decided" and grant.application.reference
    if full_plan:
        assert plan_problems(grant.application.plan, grant.period_end, 60) == []


def test_a_built_grant_passes_the_checks_a_real_one_does(session, factory, now):
    grant = factory.grant()
    assert_real_grant(session, grant)
    # Decided over an eligible screening under the default rules, an officer's assessments recorded.
    screening = latest_valid_screening(session, grant.application_id, now)
    assert screening is not None and screening.rule_set.rules
    assert {r.effective_outcome for r in screening.results} == {"pass"}
    assert declaration_status(session, grant.organisation_id, now).valid
    assert grant.status == "active" and [t.status for t in grant.tranches] == ["scheduled"]


def test_a_grant_decided_in_the_past_was_applied_for_while_its_programme_was_open(session, factory):
    committee = factory.committee()
    programme = factory.programme(committee, opens_on=date(2024, 1, 1), closes_on=date(2025, 3, 1))
    grant = factory.grant(programme=programme, period=(date(2025, 1, 1), date(2025, 12, 31)),
                          at=datetime(2025, 1, 1, 9, 0))
    assert_real_grant(session, grant)
    application = grant.application
    assert programme.opens_on <= application.submitted_at.date() <= programme.closes_on
    assert application.submitted_at < session.get(Decision, grant.decision_id).decided_at == datetime(2025, 1, 1, 9)


def test_every_package_builds_grants_that_pass_the_checks(session, factory, now):
    from tests.api.conftest import ApiWorld, StaffWorld
    from tests.eligibility.conftest import Builder
    from tests.monitoring.conftest import MonitoringBuilder
    from tests.monitoring.insight.conftest import World

    eligibility = Builder(session, factory, now)
    assert_real_grant(session, eligibility.grant(eligibility.organisation(), factory.committee(),
                                                 tranches=[("paid", now), ("scheduled", None)]))
    assert_real_grant(session, MonitoringBuilder(session, factory, now).grant().grant)
    insight = World(session, factory, now)
    programme = insight.programme(factory.committee(), "general")
    assert_real_grant(session, insight.grant(insight.organisation("I"), programme, 10_000, date(2026, 1, 1),
                                             date(2026, 12, 31), paid_kr=[4_000]),
                      full_plan=False)  # the insight figures count only the milestones a test adds
    assert_real_grant(session, StaffWorld(session, factory, now, ApiWorld(session, factory, now)).grant())


def test_the_builder_refuses_money_where_the_services_do(session, factory):
    organisation = factory.organisation()
    factory.finding(organisation, category="incitement", confirm=True)
    with pytest.raises(ValueError, match="no_confirmed_finding"):
        factory.grant(organisation=organisation)
    session.rollback()
    # Not even with the screening forced: the decision asks the facts at its own moment (money gate).
    from eligibility.money_gate import MoneyStopped

    with pytest.raises(MoneyStopped):
        factory.grant(organisation=organisation, force_eligible=True)


def test_building_leaves_no_mail_behind_unless_asked(session, factory, now):
    factory.grant()
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0
    from tests.factories import Factory

    Factory(session, now, keep_mail=True).grant()
    assert session.scalar(select(func.count(OutboxMessage.id))) > 0


def test_a_built_review_scores_every_criterion_after_declaring_no_conflict(session, factory):
    from grants.services import weighted_score

    committee = factory.committee()
    programme = factory.programme(committee)
    application = factory.application(programme, factory.organisation(), submit=True)
    review = factory.review(application, score=3)
    assert review.has_conflict is False and review.submitted_at is not None
    assert {s.criterion_id for s in review.scores} == {c.id for c in programme.criteria}
    assert str(weighted_score(application)) == "3.00" and application.status == "in_review"
