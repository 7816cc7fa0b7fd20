"""Shared set-up for the applicant API tests: an applicant with a token who represents a signed
organisation, an open programme with a published rule set, and helpers to reach a grant, all
from the one builder (tests/factories) through the grants and monitoring tests' names for it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, OutboxMessage, Role
from tests.api.conftest import bearer
from tests.grants.conftest import GrantsWorld
from tests.monitoring.conftest import MonitoringBuilder

FULL_DRAFT = {
    "title": "Samtalsgrupper för unga", "aims": "Minska rekrytering", "activities": "Samtal varje vecka",
    "method": "Mentorskap", "target_group": "Unga 15–20",
    "expected_participants": {"women": {"0-17": 10}, "men": {"0-17": 12}},
    "period_start": "2026-04-01", "period_end": "2026-12-31",
    "budget_lines": [{"category": "Personal", "amount": 50_000_00, "own_funding": 5_000_00,
                      "other_funding": 5_000_00}],
    "requested_amount": 40_000_00, "partners": "Fritidsgården",
}


class Applicant:
    """The applicant, their token and organisation, a committee with an open programme."""

    def __init__(self, session, factory, now, world):
        self.session, self.factory, self.now = session, factory, now
        self.grants = GrantsWorld(session, factory, now)
        self.monitoring = MonitoringBuilder(session, factory, now)
        self.user, self.token = world.user_with_token(Role.APPLICANT)
        self.headers = bearer(self.token)
        self.organisation = self.grants.organisation("Förening Gemenskap i Rinkeby", representative=self.user)
        self.committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
        self.grants.rule_set()
        self.programme = self.grants.programme(self.committee)
        self.world = world

    def draft(self, organisation=None, programme=None):
        return self.factory.application(programme or self.programme, organisation or self.organisation, self.user,
                                        steps=0)

    def filled(self, organisation=None, programme=None):
        return self.grants.filled_application(programme or self.programme, organisation or self.organisation,
                                              self.user)

    def grant(self, **kwargs):
        return self.monitoring.grant(organisation=self.organisation, representative=self.user, **kwargs)

    def other_applicant(self):
        user, token = self.world.user_with_token(Role.APPLICANT)
        organisation = self.grants.organisation("Annan förening", representative=user)
        return user, bearer(token), organisation


@pytest.fixture
def me(session, factory, now, world):
    return Applicant(session, factory, now, world)


def audit_actions(session, object_type=None, object_id=None) -> list[str]:
    stmt = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    session.expire_all()
    return list(session.scalars(stmt))


def mails_to(session, email) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)))


__all__ = ["FULL_DRAFT", "Applicant", "me", "audit_actions", "mails_to", "date"]
