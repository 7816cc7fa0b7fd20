"""Insight tests' names for the one builder (tests/factories). `world` builds a small data set
whose figures the tests count by hand; `bulk_grants` inserts many grants at once."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from organisations.models import Organisation


class World:
    """Grants decided through the services, with exactly the tranches, milestones, reports and
    evaluations a test names: the plan the decision needed is emptied afterwards
    (factory.force_plan_dates), so only the test's own milestones count in the figures."""

    def __init__(self, session, factory, now):
        self.session, self.factory, self.now = session, factory, now
        self.staff = factory.user(name="Handläggare Test")

    def organisation(self, name: str, districts=(), **profile) -> Organisation:
        """No district by default (factory.force_no_districts): the figures list it under none."""
        return self.factory.organisation(name, districts=districts, **profile)

    def programme(self, committee, area: str, title: str | None = None):
        """Open from 2024 to March 2025 (so grants can be decided from late 2024 on), no districts."""
        return self.factory.programme(committee, title=title, area=area, budget=100_000_000, max_per_grant=50_000_000,
                                      opens_on=date(2024, 1, 1), closes_on=date(2025, 3, 1), districts=(),
                                      target_groups=())

    def grant(self, org, programme, amount_kr: int, start: date, end: date, status: str = "active",
              paid_kr=(), scheduled_kr=(), cancelled_kr=(), decided_at: datetime | None = None,
              title: str = "Projekt", end_reason: str | None = None):
        """Decided at `decided_at` (New Year's morning of the start year) with one tranche per amount
        named (due at the start; one scheduled tranche of the whole amount when none is), paid,
        scheduled or cancelled through the payment services. Amounts short of the grant get one more
        tranche for the rest (cancelled on a withdrawn grant, else scheduled), as the decision splits
        the whole amount. "completed" by factory.force_grant_status."""
        f = self.factory
        amounts = [(kr, "paid") for kr in paid_kr] + [(kr, "scheduled") for kr in scheduled_kr] + \
                  [(kr, "cancelled") for kr in cancelled_kr]
        rest = amount_kr - sum(kr for kr, _ in amounts)
        if amounts and rest:  # the decision splits the whole amount: the rest is cancelled or still to come
            amounts.append((rest, "cancelled" if status == "withdrawn" else "scheduled"))
        grant = f.grant(organisation=org, programme=programme, period=(start, end), requested=amount_kr * 100,
                        tranches=[f.tranche_input(start, kr * 100) for kr, _ in amounts] or None,
                        at=decided_at or datetime(start.year, 1, 1, 9, 0), title=title,
                        aims="Hemliga mål med namn på deltagare")
        f.force_plan_dates(grant, milestones=[], evaluation_dates=[])
        for tranche, (_kr, tranche_status) in zip(grant.tranches, amounts):
            if tranche_status == "paid":
                f.pay(tranche)
            elif tranche_status == "cancelled":
                f.cancel(tranche)
        if status == "withdrawn":
            f.withdraw_grant(grant, reason=end_reason or "Indraget.")
        elif status != "active":
            f.force_grant_status(grant, status, reason=end_reason)
        return grant

    def milestone(self, grant, due_on: date, report_status: str | None = None,
                  submitted_at: datetime | None = None, approved_at: datetime | None = None,
                  women: int = 0, men: int = 0, other: int = 0):
        """A milestone added after the decision (factory.force_milestone) with a report saved as a
        draft, submitted at `submitted_at`, or also approved (at `approved_at`, else on submission)."""
        milestone = self.factory.force_milestone(grant, due_on)
        if report_status:
            participants = {"women": {"18-25": women}, "men": {"18-25": men}, "other": {"18-25": other}}
            self.factory.report(grant, milestone, submit=report_status != "draft",
                                approve=report_status == "approved", participants=participants,
                                at=submitted_at or self.now, approved_at=approved_at)
        return milestone

    def evaluation(self, grant, rating: int | None, share: str | None, status: str = "completed"):
        return self.factory.force_evaluation(grant, rating=rating, share=share, status=status)

    def experience(self, committee, title: str, rating: int | None, created_at: datetime, published: bool = True,
                   area: str = "targeted", lessons: str = ""):
        return self.factory.force_experience(committee, title, rating=rating, at=created_at, published=published,
                                             area=area, lessons=lessons)


@pytest.fixture
def world(session, factory, now):
    return World(session, factory, now)


def bulk_grants(session, world: World, committees, programmes, orgs, n: int) -> None:
    """n grants in a handful of INSERTs (factory.force_bulk_grants)."""
    world.factory.force_bulk_grants(programmes, orgs, n, by=world.staff)
