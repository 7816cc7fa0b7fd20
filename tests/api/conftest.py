"""Helpers for API tests: tokens, organisations with representatives, programmes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from grants.models import Programme, ProgrammeStatus
from organisations.models import Organisation, OrganisationDistrict, Representative
from portal.api.tokens import create_token
from portal.models import Role

_org_numbers = iter(range(10_000, 99_999))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class ApiWorld:
    def __init__(self, session, factory, now):
        self.session, self.factory, self.now = session, factory, now

    def token_for(self, user, days=None, name="script") -> str:
        _row, raw = create_token(self.session, user, name=name, days=days, by=user, now=self.now)
        self.session.commit()
        return raw

    def user_with_token(self, role, committee=None):
        user = self.factory.user(role=role, committee=committee)
        return user, self.token_for(user)

    def organisation(self, name="Förening", representatives=(), districts=(), status="active") -> Organisation:
        org = Organisation(org_number=f"80{next(_org_numbers):05d}000"[:10], name=name,
                           legal_form="non_profit_association", status=status, city="Stockholm",
                           created_at=self.now, updated_at=self.now)
        org.districts = [OrganisationDistrict(district=d) for d in districts]
        self.session.add(org)
        self.session.flush()
        for user in representatives:
            self.session.add(Representative(organisation_id=org.id, user_id=user.id, added_at=self.now))
        self.session.commit()
        return org

    def programme(self, committee, title="Utlysning", status=ProgrammeStatus.PUBLISHED, opens=-10, closes=20,
                  action_area="targeted", districts=()) -> Programme:
        today: date = self.now.date()
        programme = Programme(committee_id=committee.id, title=title, action_area=action_area,
                              districts=list(districts), target_groups=["unga"], budget=100_000_00,
                              max_per_grant=20_000_00, opens_on=today + timedelta(days=opens),
                              closes_on=today + timedelta(days=closes), status=status.value, created_at=self.now)
        self.session.add(programme)
        self.session.commit()
        return programme


@pytest.fixture
def world(session, factory, now):
    return ApiWorld(session, factory, now)


@pytest.fixture
def applicant(world):
    return world.user_with_token(Role.APPLICANT)


# --- committee staff, finance and coordinator side (branch apib) ------------------------------

class StaffWorld:
    """Two committees with their staff and tokens, and builders that take an application from
    submitted to a grant with a released tranche and a submitted report, through the services."""

    def __init__(self, session, factory, now, api_world):
        from tests.grants.conftest import GrantsWorld

        self.session, self.factory, self.now, self.api = session, factory, now, api_world
        self.grants = GrantsWorld(session, factory, now)
        self.committee = factory.committee("Spånga-Tensta stadsdelsnämnd")
        self.other_committee = factory.committee("Farsta stadsdelsnämnd")
        self.officer, self.officer_token = api_world.user_with_token(Role.OFFICER, self.committee)
        self.decider, self.decider_token = api_world.user_with_token(Role.DECISION_MAKER, self.committee)
        self.other_officer, self.other_officer_token = api_world.user_with_token(Role.OFFICER, self.other_committee)
        self.other_decider, self.other_decider_token = api_world.user_with_token(Role.DECISION_MAKER,
                                                                                 self.other_committee)
        self.coordinator, self.coordinator_token = api_world.user_with_token(Role.COORDINATOR)
        self.applicant, self.applicant_token = api_world.user_with_token(Role.APPLICANT)
        self.rule_set = self.grants.rule_set()
        self.programme = self.grants.programme(self.committee)

    def submitted_application(self, organisation=None, requested=40_000_00):
        from grants import services

        organisation = organisation or self.grants.organisation(representative=self.applicant)
        application = self.grants.filled_application(self.programme, organisation, self.applicant, requested)
        services.submit_application(self.session, application, by=self.applicant, now=self.now)
        self.session.commit()
        return application

    def ready_for_decision(self, **kwargs):
        application = self.submitted_application(**kwargs)
        self.grants.complete_plan(application, self.officer)
        return application

    def grant(self, released=True, **kwargs):
        from grants import payments, services
        from grants.models import Grant

        application = self.ready_for_decision(**kwargs)
        services.decide(self.session, application, outcome="approve", amount=None, reasons="Bra ansökan.",
                        conditions="", tranches=None, expected_version=application.version, by=self.decider,
                        now=self.now)
        grant = self.session.query(Grant).filter_by(application_id=application.id).one()
        if released:
            payments.release_tranche(self.session, grant.tranches[0], by=self.officer, now=self.now)
        self.session.commit()
        return grant

    def submitted_report(self, grant):
        from monitoring import reports
        from monitoring.queries import plan_for_grant

        plan = plan_for_grant(self.session, grant)
        milestone = plan.milestones[0]
        data = reports.ReportInput(
            activities="Tolv träffar med samtalsgrupper.", participants={"women": {"18-25": 6}, "men": {"18-25": 5}},
            indicators={i.id: {"value": "11", "women": "6", "men": "5", "other": "0"} for i in plan.indicators})
        report = reports.save_report(self.session, grant, milestone, data, by=self.applicant, now=self.now,
                                     submit=True)
        self.session.commit()
        return report


@pytest.fixture
def staff(session, factory, now, world):
    return StaffWorld(session, factory, now, world)


@pytest.fixture
def staff_tokens(staff):
    """Tokens of a coordinator and of an officer and a decision maker whose committee has an
    application ready for decision, a grant with a released tranche and a submitted report, a
    finding with its withdrawal case, and an experience: so that generated requests reach real rows."""
    from eligibility import services as eligibility_services
    from monitoring.models import Experience

    staff.ready_for_decision(requested=10_000_00)
    staff.submitted_report(staff.grant(requested=10_000_00))
    finding = eligibility_services.report_finding(
        staff.session, organisation=staff.grants.organisation(), conduct_on=staff.now.date(), category="incitement",
        actor_kind="organisation", actor_name="", source_category="media", evidence="Tal.", by=staff.officer,
        reporting_committee_id=staff.committee.id, now=staff.now)
    eligibility_services.assess_finding(staff.session, finding, confirm=True, reason="Uppmanar till våld.",
                                        by=staff.coordinator, now=staff.now)
    staff.session.add(Experience(title="Läxhjälp", summary="Mat lockar föräldrar.", lessons="Mat lockar föräldrar.",
                                 action_area="general", committee_id=staff.committee.id, created_at=staff.now,
                                 updated_at=staff.now))
    staff.session.commit()
    return [staff.coordinator_token, staff.officer_token, staff.decider_token]
