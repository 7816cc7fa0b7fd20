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
        _row, raw = create_token(self.session, user, name=name, days=days, actor=user, now=self.now)
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
