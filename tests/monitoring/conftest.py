"""Monitoring tests' names for the one builder (tests/factories): `build.grant()` is a grant
decided through the services, with the plan, organisation and people the monitoring tests read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from grants import services as grants_services
from grants.models import ActionArea, Application, FollowUpPlan, Grant, GrantStatus, MilestoneKind
from organisations.models import DeclarationSignature, Organisation
from portal.models import Committee, User

# What the decision allows as the latest final report after the period (FINAL_REPORT_MAX_DAYS_AFTER_END).
FINAL_REPORT_MAX_DAYS = 60


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

    def organisation(self, name: str | None = None, consents: bool = False, districts=("Rinkeby",),
                     signed: bool = True, representative: User | None = None) -> Organisation:
        """Registered with statutes and (with `signed`) a declaration signed 30 days ago."""
        org = self.factory.organisation(name, representative=representative, districts=districts, signed=signed)
        if consents:
            self.factory.set_consent(org)
        return org

    def representative(self, organisation: Organisation, **kwargs) -> User:
        return self.factory.representative(organisation, **kwargs)

    def grant(self, *, committee: Committee | None = None, organisation: Organisation | None = None,
              officer: User | None = None, representative: User | None = None,
              period=(date(2026, 1, 1), date(2026, 12, 31)),
              milestones=((MilestoneKind.INTERIM, date(2026, 6, 30)), (MilestoneKind.FINAL, date(2027, 1, 31))),
              evaluation_dates=(date(2027, 2, 28),), indicators=(("Deltagare", Decimal(40), True),
                                                                 ("Träffar", Decimal(20), False)),
              title: str = "Samtalsgrupper för unga", method: str = "Samtalsgrupper",
              target_group: str = "Unga 15-25", action_area: ActionArea = ActionArea.TARGETED,
              status: GrantStatus = GrantStatus.ACTIVE, tranches=None) -> GrantWorld:
        """A 200 000 kr grant decided today on an application made last autumn, with its own officer
        (responsible for the plan), paid in `tranches` (factory.tranche_input; one of the whole amount
        by default). A plan the decision would refuse (no final report, no evaluation)
        is set after the decision by factory.force_plan_dates; "completed" by force_grant_status."""
        f = self.factory
        committee = committee or f.committee()
        officer = officer or f.officer(committee)
        if organisation is None:
            representative = representative or f.applicant()
            organisation = self.organisation(representative=representative)
        elif representative is None:
            representative = self.representative(organisation)
        milestones = [(MilestoneKind(kind).value, due) for kind, due in milestones]
        finals = [due for kind, due in milestones if kind == MilestoneKind.FINAL.value]
        complete = bool(finals and min(finals) <= period[1] + timedelta(days=FINAL_REPORT_MAX_DAYS)
                        and evaluation_dates and indicators)
        programme = f.programme(committee, area=ActionArea(action_area).value, target_groups=[target_group],
                                districts=["Rinkeby"], budget=100_000_000, max_per_grant=50_000_000,
                                opens_on=date(2025, 9, 1), closes_on=date(2025, 10, 31))
        grant = f.grant(
            committee=committee, organisation=organisation, representative=representative, officer=officer,
            programme=programme, period=period, requested=20_000_000, tranches=tranches, title=title,
            aims="Stärka unga", activities="Träffar varje vecka", method=method, target_group=target_group,
            budget_lines=[grants_services.BudgetLineInput("Lokalhyra", 5_000_000),
                          grants_services.BudgetLineInput("Arvoden", 15_000_000)],
            indicators=[grants_services.IndicatorInput(f"Mål: {name}", name, "st", Decimal(0), target, by_gender)
                        for name, target, by_gender in indicators],
            milestones=[grants_services.MilestoneInput(kind, due) for kind, due in milestones] if complete else None,
            evaluation_dates=list(evaluation_dates) if complete else None)
        if not complete:
            f.force_plan_dates(grant, milestones=milestones, evaluation_dates=evaluation_dates)
        if status == GrantStatus.WITHDRAWN:
            f.withdraw_grant(grant)
        elif status != GrantStatus.ACTIVE:
            f.force_grant_status(grant, GrantStatus(status).value)
        application = grant.application
        return GrantWorld(grant, application.plan, organisation, committee, representative, officer, application)

    def declaration(self, organisation: Organisation, signer: User, signed_at: datetime,
                    months: int = 12) -> DeclarationSignature:
        """Signed through the service by `signer` at `signed_at`; valid for DECLARATION_VALID_MONTHS
        (the `months` the tests name is that setting's value)."""
        assert months == self.factory_months(), "the declaration's validity is the app's setting"
        return self.factory.sign_declaration(organisation, signer=signer, at=signed_at)

    @staticmethod
    def factory_months() -> int:
        from flask import current_app

        return current_app.config["DECLARATION_VALID_MONTHS"]


@pytest.fixture
def build(session, factory, now):
    return MonitoringBuilder(session, factory, now)


def login_user(client, user: User) -> None:
    """Log the test client in as this user, logging out whoever was logged in."""
    from tests.conftest import login

    client.post("/logout")
    response = login(client, user.email)
    assert response.status_code == 302
