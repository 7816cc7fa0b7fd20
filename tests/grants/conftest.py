"""Helpers for grants tests: organisations, representatives, declarations, rule sets,
programmes and complete applications, built directly with the models."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from eligibility import screening as screening_engine
from eligibility.models import RuleOutcome, RuleSet
from grants import services
from grants.models import Programme
from organisations.models import DeclarationSignature, DeclarationText, Organisation, Representative
from portal.models import Role

_n = itertools.count(1)


def luhn_number(prefix: str) -> str:
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


class GrantsWorld:
    def __init__(self, session, factory, now):
        self.session, self.factory, self.now = session, factory, now

    def declaration_text(self, version=1):
        text = self.session.query(DeclarationText).filter_by(version=version).first()
        if text is None:
            text = DeclarationText(version=version, text_sv="Vi står bakom demokratin.", text_en="We stand by democracy.",
                                   published_at=self.now)
            self.session.add(text)
            self.session.flush()
        return text

    def organisation(self, name=None, representative=None, signed=True, expires_in_days=300, status="active"):
        n = next(_n)
        org = Organisation(org_number=luhn_number(f"802{n:06d}"), name=name or f"Förening {n}",
                           legal_form="non_profit_association", email=f"org{n}@example.org", status=status,
                           created_at=self.now, updated_at=self.now)
        self.session.add(org)
        self.session.flush()
        if representative is not None:
            self.session.add(Representative(organisation_id=org.id, user_id=representative.id, added_at=self.now))
        if signed:
            text = self.declaration_text()
            signer = representative or self.factory.user(role=Role.APPLICANT)
            self.session.add(DeclarationSignature(
                organisation_id=org.id, text_id=text.id, signed_by_id=signer.id, signatory_name="Ordförande",
                signed_at=self.now - timedelta(days=30), expires_at=self.now + timedelta(days=expires_in_days)))
        self.session.commit()
        return org

    def rule_set(self, version=1, validity_days=30):
        rule_set = RuleSet(version=version, name=f"Regler v{version}", rules=[], validity_days=validity_days,
                           published_at=self.now, created_at=self.now)
        self.session.add(rule_set)
        self.session.commit()
        return rule_set

    def programme(self, committee, budget=100_000_00, max_per_grant=50_000_00, opens=-10, closes=30,
                  published=True, area="targeted"):
        officer = self.factory.user(role=Role.OFFICER, committee=committee)
        programme = services.create_programme(
            self.session, committee_id=committee.id, by=officer, now=self.now,
            values={"title": f"Utlysning {next(_n)} för Rinkeby", "description": "Förebyggande arbete",
                    "action_area": area, "target_groups": ["unga"], "districts": ["Rinkeby-Kista"],
                    "budget": budget, "max_per_grant": max_per_grant,
                    "opens_on": self.now.date() + timedelta(days=opens),
                    "closes_on": self.now.date() + timedelta(days=closes), "reporting_rhythm": "interim_final"},
            criteria=[services.CriterionInput("Relevans", 2), services.CriterionInput("Genomförbarhet", 1)])
        if published:
            services.publish_programme(self.session, programme, by=officer, now=self.now)
        self.session.commit()
        return programme

    def filled_application(self, programme, organisation, applicant, requested=40_000_00):
        app = services.start_application(self.session, programme=programme, organisation=organisation,
                                         by=applicant, now=self.now)
        s = self.session
        services.save_step(s, app, 1, {"title": "Samtalsgrupper för unga"}, by=applicant, now=self.now)
        services.save_step(s, app, 2, {"aims": "Minska rekrytering", "activities": "Samtal varje vecka",
                                       "method": "Mentorskap", "target_group": "Unga 15–20"}, by=applicant, now=self.now)
        services.save_step(s, app, 3, {"women": {"0-17": 10}, "men": {"0-17": 12}, "other": {"18-25": 1}},
                           by=applicant, now=self.now)
        services.save_step(s, app, 4, {
            "period_start": date(2026, 4, 1), "period_end": date(2026, 12, 31), "requested_amount": requested,
            "budget_lines": [services.BudgetLineInput("Personal", 50_000_00, own_funding=5_000_00,
                                                      other_funding=5_000_00)]}, by=applicant, now=self.now)
        services.save_step(s, app, 5, {"partners": "Fritidsgården"}, by=applicant, now=self.now)
        s.commit()
        return app

    def complete_plan(self, application, officer, final_due=date(2027, 1, 31)):
        services.save_plan(
            self.session, application, responsible_officer_id=officer.id,
            indicators=[services.IndicatorInput("Färre unga rekryteras", "Deltagare som fullföljer", "personer",
                                                Decimal("0"), Decimal("20"), True)],
            milestones=[services.MilestoneInput("interim", date(2026, 8, 31)),
                        services.MilestoneInput("final", final_due)],
            evaluation_dates=[date(2027, 3, 1)], by=officer, now=self.now)
        self.session.commit()


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
def scenario(world, factory, session, now):
    """A committee with an officer and a decision maker, an open programme, an applicant with a
    signed organisation, a published rule set and a submitted application."""
    committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    officer = factory.user(role=Role.OFFICER, committee=committee, name="Hanna Handläggare")
    decider = factory.user(role=Role.DECISION_MAKER, committee=committee, name="Bertil Beslutsfattare")
    applicant = factory.user(role=Role.APPLICANT, name="Selma Sökande")
    organisation = world.organisation("Förening Gemenskap i Rinkeby", representative=applicant)
    world.rule_set()
    programme = world.programme(committee)
    application = world.filled_application(programme, organisation, applicant)

    class S:
        pass

    s = S()
    s.committee, s.officer, s.decider, s.applicant = committee, officer, decider, applicant
    s.organisation, s.programme, s.application = organisation, programme, application
    return s
