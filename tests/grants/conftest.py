"""Grants tests' names for the one builder (tests/factories): `world` keeps the calls the
tests were written with, `scenario` is a submitted-looking application ready for the officer."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from eligibility import screening as screening_engine
from eligibility.models import RuleOutcome
from grants import services
from portal.models import Role

# The grants tests' own application: one budget line of 50 000 kr with 10 000 kr of other funding.
BUDGET = [services.BudgetLineInput("Personal", 50_000_00, own_funding=5_000_00, other_funding=5_000_00)]


class GrantsWorld:
    """Organisations, programmes, applications and plans for the grants tests, built by the factory.
    Its rule set is empty (factory.force_empty_rule_set), so screenings here test no eligibility rule."""

    def __init__(self, session, factory, now):
        self.session, self.factory, self.now = session, factory, now

    def declaration_text(self, version=1):
        """The declaration text of that version, publishing new versions up to it."""
        text = self.factory.declaration_text()
        while text.version < version:
            text = self.factory.new_declaration_version()
        return text

    def organisation(self, name=None, representative=None, signed=True, expires_in_days=None, status="active"):
        org = self.factory.organisation(name, representative=representative, signed=False)
        if signed:
            self.factory.sign_declaration(
                org, expires_at=None if expires_in_days is None else self.now + timedelta(days=expires_in_days))
        if status != "active":
            self.factory.force_status(org, status)
        return org

    def rule_set(self, validity_days=30):
        return self.factory.force_empty_rule_set(validity_days)

    def programme(self, committee, budget=100_000_00, max_per_grant=50_000_00, opens=-10, closes=30,
                  published=True, area="targeted"):
        return self.factory.programme(
            committee, title=None, area=area, budget=budget, max_per_grant=max_per_grant,
            opens_on=self.now.date() + timedelta(days=opens), closes_on=self.now.date() + timedelta(days=closes),
            published=published, by=self.factory.officer(committee))

    def filled_application(self, programme, organisation, applicant, requested=40_000_00):
        return self.factory.application(programme, organisation, applicant, requested=requested, budget_lines=BUDGET)

    def complete_plan(self, application, officer, final_due=date(2027, 1, 31)):
        self.factory.plan(
            application, officer,
            indicators=[services.IndicatorInput("Färre unga rekryteras", "Deltagare som fullföljer", "personer",
                                                Decimal("0"), Decimal("20"), True)],
            milestones=[services.MilestoneInput("interim", date(2026, 8, 31)),
                        services.MilestoneInput("final", final_due)],
            evaluation_dates=[date(2027, 3, 1)])


@pytest.fixture
def world(session, factory, now):
    return GrantsWorld(session, factory, now)


@pytest.fixture
def failing_rule():
    """Register a throwaway rule that fails, and remove it after the test."""

    @screening_engine.rule("test_always_fails", "formal")
    def _fails(ctx):
        return screening_engine.RuleVerdict(RuleOutcome.FAIL, {"why": "test"})

    yield "test_always_fails"
    screening_engine.RULES.pop("test_always_fails", None)


@pytest.fixture
def scenario(world, factory):
    """A committee with an officer and a decision maker, an open programme, an applicant with a
    signed organisation, an empty rule set and a filled-in (not yet submitted) application."""
    committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    officer = factory.user(role=Role.OFFICER, committee=committee, name="Hanna Handläggare")
    decider = factory.user(role=Role.DECISION_MAKER, committee=committee, name="Bertil Beslutsfattare")
    applicant = factory.user(role=Role.APPLICANT, name="Selma Sökande")
    organisation = world.organisation("Förening Gemenskap i Rinkeby", representative=applicant)
    world.rule_set()
    programme = world.programme(committee)
    application = world.filled_application(programme, organisation, applicant)
    return SimpleNamespace(committee=committee, officer=officer, decider=decider, applicant=applicant,
                           organisation=organisation, programme=programme, application=application)
