"""Helpers for API tests: tokens, organisations with representatives, programmes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from sqlalchemy import select

from grants.models import Grant, Programme, ProgrammeStatus
from organisations.models import Organisation
from portal.api.tokens import create_token
from portal.models import Role


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class ApiWorld:
    """Tokens, and organisations and programmes from the one builder (tests/factories)."""

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
        """Registered (by the first representative, else by someone else) in Stockholm, with no papers;
        no district unless named (factory.force_no_districts); a status by factory.force_status."""
        first, *others = list(representatives) or [None]
        org = self.factory.organisation(name, representative=first, districts=districts, city="Stockholm",
                                        signed=False, statutes=False)
        for user in others:
            self.factory.representative(org, user=user)
        if status != "active":
            self.factory.force_status(org, status)
        return org

    def programme(self, committee, title="Utlysning", status=ProgrammeStatus.PUBLISHED, opens=-10, closes=20,
                  action_area="targeted", districts=()) -> Programme:
        if status not in (ProgrammeStatus.PUBLISHED, ProgrammeStatus.DRAFT):
            raise ValueError("a closed programme comes from the closing job: give it a past closing date")
        today: date = self.now.date()
        return self.factory.programme(committee, title=title, area=action_area, districts=districts,
                                      target_groups=["unga"], budget=100_000_00, max_per_grant=20_000_00,
                                      opens_on=today + timedelta(days=opens), closes_on=today + timedelta(days=closes),
                                      published=status == ProgrammeStatus.PUBLISHED)


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
        organisation = organisation or self.grants.organisation(representative=self.applicant)
        application = self.grants.filled_application(self.programme, organisation, self.applicant, requested)
        return self.factory.submit(application)

    def ready_for_decision(self, **kwargs):
        application = self.submitted_application(**kwargs)
        self.grants.complete_plan(application, self.officer)
        return application

    def grant(self, released=True, **kwargs):
        application = self.ready_for_decision(**kwargs)
        decision = self.factory.decide(application, self.decider)
        grant = self.session.scalar(select(Grant).where(Grant.decision_id == decision.id))
        if released:
            self.factory.release(grant.tranches[0], by=self.officer)
        return grant

    def submitted_report(self, grant):
        return self.factory.report(grant, activities="Tolv träffar med samtalsgrupper.", indicator_value="11",
                                   participants={"women": {"18-25": 6}, "men": {"18-25": 5}})


@pytest.fixture
def staff(session, factory, now, world):
    return StaffWorld(session, factory, now, world)


@pytest.fixture
def staff_tokens(staff):
    """Tokens of a coordinator and of an officer and a decision maker whose committee has an
    application ready for decision, a grant with a released tranche and a submitted report, a
    finding with its withdrawal case, and an experience: so that generated requests reach real rows."""
    staff.ready_for_decision(requested=10_000_00)
    staff.submitted_report(staff.grant(requested=10_000_00))
    staff.factory.finding(staff.grants.organisation(), by=staff.officer, category="incitement", confirm=True,
                          reason="Uppmanar till våld.", assessor=staff.coordinator, committee=staff.committee)
    staff.factory.force_experience(staff.committee, "Läxhjälp", summary="Mat lockar föräldrar.",
                                   lessons="Mat lockar föräldrar.", area="general")
    return [staff.coordinator_token, staff.officer_token, staff.decider_token]
