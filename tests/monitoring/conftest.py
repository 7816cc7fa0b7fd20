"""Grants data for monitoring tests, built directly with the grants models (the grants services
live on another branch)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from grants.models import (ActionArea, Application, ApplicationStatus, BudgetLine, Decision, DecisionOutcome,
                           EvaluationPoint, FollowUpPlan, Grant, GrantStatus, Indicator, Milestone, MilestoneKind,
                           Programme, ProgrammeStatus)
from organisations.models import (DeclarationSignature, DeclarationText, Organisation, OrganisationDistrict,
                                  Representative)
from portal.models import Committee, Role, User

_n = itertools.count(1000)


@dataclass
class GrantWorld:
    grant: Grant
    plan: FollowUpPlan
    organisation: Organisation
    committee: Committee
    representative: User
    officer: User
    application: Application


class MonitoringBuilder:
    def __init__(self, session, factory, now: datetime):
        self.session = session
        self.factory = factory
        self.now = now

    def organisation(self, name: str | None = None, consents: bool = False, districts=("Rinkeby",)) -> Organisation:
        n = next(_n)
        org = Organisation(org_number=f"80{n:08d}", name=name or f"Förening {n}", legal_form="non_profit_association",
                           consents_to_name_in_experiences=consents, created_at=self.now, updated_at=self.now)
        org.districts = [OrganisationDistrict(district=d) for d in districts]
        self.session.add(org)
        self.session.commit()
        return org

    def representative(self, organisation: Organisation, **kwargs) -> User:
        user = self.factory.user(role=Role.APPLICANT, **kwargs)
        self.session.add(Representative(organisation_id=organisation.id, user_id=user.id, added_at=self.now))
        self.session.commit()
        return user

    def grant(self, *, committee: Committee | None = None, organisation: Organisation | None = None,
              officer: User | None = None, representative: User | None = None,
              period=(date(2026, 1, 1), date(2026, 12, 31)),
              milestones=((MilestoneKind.INTERIM, date(2026, 6, 30)), (MilestoneKind.FINAL, date(2027, 1, 31))),
              evaluation_dates=(date(2027, 2, 28),), indicators=(("Deltagare", Decimal(40), True),
                                                                 ("Träffar", Decimal(20), False)),
              title: str = "Samtalsgrupper för unga", method: str = "Samtalsgrupper",
              target_group: str = "Unga 15-25", action_area: ActionArea = ActionArea.TARGETED,
              status: GrantStatus = GrantStatus.ACTIVE) -> GrantWorld:
        committee = committee or self.factory.committee()
        organisation = organisation or self.organisation()
        if officer is None:
            officer = self.factory.user(role=Role.OFFICER, committee=committee)
        if representative is None:
            representative = self.representative(organisation)
        programme = Programme(committee_id=committee.id, title=f"Utlysning {next(_n)}", action_area=action_area.value,
                              target_groups=[target_group], districts=["Rinkeby"], budget=100_000_000,
                              max_per_grant=50_000_000, opens_on=date(2025, 9, 1), closes_on=date(2025, 10, 31),
                              status=ProgrammeStatus.CLOSED.value, created_at=self.now)
        self.session.add(programme)
        self.session.flush()
        application = Application(
            reference=f"A-{next(_n)}", organisation_id=organisation.id, programme_id=programme.id,
            created_by_id=representative.id, title=title, aims="Stärka unga", activities="Träffar varje vecka",
            method=method, target_group=target_group, period_start=period[0], period_end=period[1],
            requested_amount=20_000_000, status=ApplicationStatus.DECIDED.value, created_at=self.now,
            updated_at=self.now, submitted_at=self.now)
        application.budget_lines = [
            BudgetLine(category="Lokalhyra", amount=5_000_000), BudgetLine(category="Arvoden", amount=15_000_000)]
        self.session.add(application)
        self.session.flush()
        decider = self.factory.user(role=Role.DECISION_MAKER, committee=committee)
        decision = Decision(application_id=application.id, outcome=DecisionOutcome.APPROVE.value, amount=20_000_000,
                            reasons="Uppfyller kriterierna", decided_by_id=decider.id, decided_at=self.now)
        self.session.add(decision)
        plan = FollowUpPlan(application_id=application.id, responsible_officer_id=officer.id, created_at=self.now,
                            updated_at=self.now)
        plan.indicators = [Indicator(objective=f"Mål: {name}", name=name, unit="st", baseline=Decimal(0), target=target,
                                     by_gender=by_gender) for name, target, by_gender in indicators]
        plan.milestones = [Milestone(kind=MilestoneKind(kind).value, due_on=due) for kind, due in milestones]
        plan.evaluation_points = [EvaluationPoint(due_on=due, description="Slututvärdering") for due in evaluation_dates]
        self.session.add(plan)
        self.session.flush()
        grant = Grant(application_id=application.id, decision_id=decision.id, organisation_id=organisation.id,
                      committee_id=committee.id, programme_id=programme.id, amount=20_000_000,
                      period_start=period[0], period_end=period[1], status=status.value, created_at=self.now)
        self.session.add(grant)
        self.session.commit()
        return GrantWorld(grant, plan, organisation, committee, representative, officer, application)

    def declaration(self, organisation: Organisation, signer: User, signed_at: datetime,
                    months: int = 12) -> DeclarationSignature:
        from sqlalchemy import select

        text = self.session.scalar(select(DeclarationText).where(DeclarationText.version == 1))
        if text is None:
            text = DeclarationText(version=1, text_sv="Vi står bakom demokratin.", text_en="We stand behind democracy.",
                                   published_at=signed_at)
            self.session.add(text)
            self.session.flush()
        signature = DeclarationSignature(organisation_id=organisation.id, text_id=text.id, signed_by_id=signer.id,
                                         signatory_name="Ordförande", signed_at=signed_at,
                                         expires_at=signed_at + timedelta(days=30 * months))
        self.session.add(signature)
        self.session.commit()
        return signature


@pytest.fixture
def build(session, factory, now):
    return MonitoringBuilder(session, factory, now)


def login_user(client, user: User) -> None:
    """Log the test client in as this user, logging out whoever was logged in."""
    from tests.conftest import login

    client.post("/logout")
    response = login(client, user.email)
    assert response.status_code == 302
