"""Rows for the insight tests, written directly with the models (other packages' services are
built in parallel). `world` builds a small data set; `bulk_grants` inserts many grants at once."""
from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert

from grants.models import (Application, Decision, EvaluationPoint, FollowUpPlan, Grant, Milestone, Programme,
                           Tranche)
from monitoring.models import Evaluation, Experience, GranteeReport
from organisations.models import Organisation, OrganisationDistrict

_numbers = itertools.count(1)


class World:
    def __init__(self, session, factory, now):
        self.session, self.factory, self.now = session, factory, now
        self.staff = factory.user(name="Handläggare Test")

    def organisation(self, name: str, districts=(), **kwargs) -> Organisation:
        org = Organisation(org_number=f"80{next(_numbers):08d}", name=name, legal_form="non_profit_association",
                           created_at=self.now, updated_at=self.now, **kwargs)
        org.districts = [OrganisationDistrict(district=d) for d in districts]
        self.session.add(org)
        self.session.flush()
        return org

    def programme(self, committee, area: str, title: str | None = None) -> Programme:
        programme = Programme(committee_id=committee.id, title=title or f"Utlysning {next(_numbers)}",
                              action_area=area, budget=100_000_000, max_per_grant=50_000_000,
                              opens_on=date(2025, 1, 1), closes_on=date(2025, 3, 1), status="closed",
                              created_at=self.now)
        self.session.add(programme)
        self.session.flush()
        return programme

    def grant(self, org, programme, amount_kr: int, start: date, end: date, status: str = "active",
              paid_kr=(), scheduled_kr=(), cancelled_kr=(), decided_at: datetime | None = None,
              title: str = "Projekt", end_reason: str | None = None) -> Grant:
        application = Application(organisation_id=org.id, programme_id=programme.id, created_by_id=self.staff.id,
                                  title=title, aims="Hemliga mål med namn på deltagare", status="decided",
                                  period_start=start, period_end=end, requested_amount=amount_kr * 100,
                                  created_at=self.now, updated_at=self.now)
        self.session.add(application)
        self.session.flush()
        decision = Decision(application_id=application.id, outcome="approve", amount=amount_kr * 100,
                            reasons="Skäl", decided_by_id=self.staff.id,
                            decided_at=decided_at or datetime(start.year, 1, 1, 9, 0))
        self.session.add(decision)
        self.session.flush()
        grant = Grant(application_id=application.id, decision_id=decision.id, organisation_id=org.id,
                      committee_id=programme.committee_id, programme_id=programme.id, amount=amount_kr * 100,
                      period_start=start, period_end=end, status=status, created_at=self.now,
                      end_reason=end_reason)
        for amounts, tranche_status in ((paid_kr, "paid"), (scheduled_kr, "scheduled"),
                                        (cancelled_kr, "cancelled")):
            for kr in amounts:
                grant.tranches.append(Tranche(due_on=start, amount=kr * 100, status=tranche_status,
                                              paid_at=self.now if tranche_status == "paid" else None))
        self.session.add(grant)
        self.session.flush()
        plan = FollowUpPlan(application_id=application.id, created_at=self.now, updated_at=self.now)
        self.session.add(plan)
        self.session.flush()
        grant.plan_id = plan.id  # remembered for milestones and evaluations
        return grant

    def milestone(self, grant, due_on: date, report_status: str | None = None,
                  submitted_at: datetime | None = None, approved_at: datetime | None = None,
                  women: int = 0, men: int = 0, other: int = 0) -> Milestone:
        handed_in = submitted_at if report_status in ("submitted", "approved") else None
        milestone = Milestone(plan_id=grant.plan_id, kind="interim", due_on=due_on, report_approved_at=approved_at,
                              report_handed_in_at=handed_in or approved_at)
        self.session.add(milestone)
        self.session.flush()
        if report_status:
            self.session.add(GranteeReport(grant_id=grant.id, milestone_id=milestone.id, status=report_status,
                                           submitted_at=submitted_at, participants_women=women,
                                           participants_men=men, participants_other=other,
                                           created_at=self.now))
            self.session.flush()
        return milestone

    def evaluation(self, grant, rating: int | None, share: str | None, status: str = "completed") -> Evaluation:
        point = EvaluationPoint(plan_id=grant.plan_id, due_on=grant.period_end)
        self.session.add(point)
        self.session.flush()
        evaluation = Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                                status=status, due_on=point.due_on, rating=rating,
                                attainment_share=Decimal(share) if share else None, created_at=self.now)
        self.session.add(evaluation)
        self.session.flush()
        return evaluation

    def experience(self, committee, title: str, rating: int | None, created_at: datetime, published: bool = True,
                   area: str = "targeted", lessons: str = "") -> Experience:
        experience = Experience(title=title, summary=f"Sammanfattning av {title}", lessons=lessons, rating=rating,
                                action_area=area, committee_id=committee.id, published=published,
                                created_at=created_at, updated_at=created_at)
        self.session.add(experience)
        self.session.flush()
        return experience


@pytest.fixture
def world(session, factory, now):
    return World(session, factory, now)


def bulk_grants(session, world: World, committees, programmes, orgs, n: int) -> None:
    """Insert n grants (with application, decision, tranches, a milestone with a report, an evaluation)
    in a handful of bulk INSERTs."""
    now = world.now
    start = session.query(Application.id).count() + 1
    ids = range(start, start + n)
    session.execute(insert(Application), [
        dict(id=i, organisation_id=orgs[i % len(orgs)].id, programme_id=programmes[i % len(programmes)].id,
             created_by_id=world.staff.id, title=f"Projekt {i}", status="decided", created_at=now, updated_at=now,
             version=1, aims="", activities="", method="", target_group="", expected_participants={},
             requested_amount=0, partners="", last_step=1)
        for i in ids])
    session.execute(insert(Decision), [
        dict(id=i, application_id=i, outcome="approve", amount=10_000_00, reasons="", decided_by_id=world.staff.id,
             decided_at=datetime(2026, 1, 10)) for i in ids])
    session.execute(insert(Grant), [
        dict(id=i, application_id=i, decision_id=i, organisation_id=orgs[i % len(orgs)].id,
             committee_id=programmes[i % len(programmes)].committee_id,
             programme_id=programmes[i % len(programmes)].id, amount=10_000_00, period_start=date(2026, 1, 1),
             period_end=date(2026, 12, 31), status=("active", "completed", "withdrawn")[i % 3], created_at=now)
        for i in ids])
    session.execute(insert(Tranche), [
        dict(grant_id=i, due_on=date(2026, 1, 1), amount=5_000_00, status="paid", condition="none") for i in ids])
    session.execute(insert(FollowUpPlan), [
        dict(id=i, application_id=i, created_at=now, updated_at=now) for i in ids])
    session.execute(insert(Milestone), [
        dict(id=i, plan_id=i, kind="final", due_on=date(2026, 2, 1)) for i in ids])
    session.execute(insert(GranteeReport), [
        dict(grant_id=i, milestone_id=i, status="approved", submitted_at=datetime(2026, 1, 20),
             participants={}, participants_women=3, participants_men=2, participants_other=0, spent_total=0,
             activities="", officer_comment="", created_at=now) for i in ids if i % 2])
    session.execute(insert(EvaluationPoint), [dict(id=i, plan_id=i, due_on=date(2026, 12, 31)) for i in ids])
    session.execute(insert(Evaluation), [
        dict(grant_id=i, evaluation_point_id=i, committee_id=programmes[i % len(programmes)].committee_id,
             status="completed", due_on=date(2026, 12, 31), rating=1 + i % 5, attainment_share=Decimal("0.750"),
             attainment=[], what_worked="", what_did_not="", lessons="", share=False, created_at=now)
        for i in ids])
    session.commit()
