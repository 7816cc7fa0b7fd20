"""Property (issue 5, point 6): whatever the order in which the grants services are called
(submit, approve, release a tranche by hand or by the scheduler, mark it paid) and whatever
withdrawals, notices and reinstatements happen in between, a barred organisation gets no
submission, no approval and no money: every such call is refused and changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eligibility import services as eligibility
from grants import payments, services
from grants.models import Application, Grant, Tranche
from portal.errors import DomainError
from portal.models import Role

STEPS = st.lists(st.sampled_from(["apply", "approve", "release", "scheduler_release", "pay", "notice", "withdraw",
                                  "close_case", "reinstate"]), min_size=1, max_size=10)


class Run:
    """One organisation's life, driven through the services with a clock that only moves forward."""

    def __init__(self, session, world, factory, now):
        self.session, self.world, self.now = session, world, now
        committee = factory.committee()
        self.officer = factory.user(role=Role.OFFICER, committee=committee)
        self.decider = factory.user(role=Role.DECISION_MAKER, committee=committee)
        self.coordinator = factory.user(role=Role.COORDINATOR)
        self.applicant = factory.user(role=Role.APPLICANT)
        self.org = world.organisation(representative=self.applicant, expires_in_days=360)
        self.programme = world.programme(committee, budget=10_000_000_00, closes=300)
        self.clock = now
        self.refused_while_barred = 0

    @property
    def barred(self) -> bool:
        return self.org.status == "barred"

    def _mine(self, model, *conditions):
        stmt = select(model)
        if model is Tranche:
            stmt = stmt.join(Grant)
        organisation_column = Grant.organisation_id if model in (Tranche, Grant) else Application.organisation_id
        return self.session.scalars(stmt.where(organisation_column == self.org.id, *conditions)
                                    .order_by(model.id)).first()

    def _latest(self, model):
        stmt = select(model).join(Grant) if model is Tranche else select(model)
        organisation_column = Grant.organisation_id if model is Tranche else Application.organisation_id
        return self.session.scalars(stmt.where(organisation_column == self.org.id).order_by(model.id.desc())).first()

    def attempt(self, action) -> None:
        """Call a money-moving service. While barred it must refuse, and nothing may change."""
        barred = self.barred
        snapshot = self.money_state()
        try:
            action()
        except DomainError:
            self.session.rollback()
            if barred:
                self.refused_while_barred += 1
            assert self.money_state() == snapshot
            return
        assert not barred, "a service let a barred organisation move on"
        self.session.commit()

    def money_state(self):
        tranches = self.session.execute(select(Tranche.id, Tranche.status).join(Grant)
                                        .where(Grant.organisation_id == self.org.id).order_by(Tranche.id)).all()
        applications = self.session.execute(select(Application.id, Application.status)
                                            .where(Application.organisation_id == self.org.id)
                                            .order_by(Application.id)).all()
        return [tuple(r) for r in tranches], [tuple(r) for r in applications]

    def step(self, name: str) -> None:
        self.clock += timedelta(days=1)
        s, clock = self.session, self.clock
        case = eligibility.open_case_for(s, self.org.id)
        if name == "apply":  # while barred, the draft itself is refused (grants.services.applications)
            def apply():
                application = self.world.filled_application(self.programme, self.org, self.applicant,
                                                            requested=10_000_00)
                services.submit_application(s, application, by=self.applicant, now=clock)
            self.attempt(apply)
        elif name == "approve":
            application = self._mine(Application, Application.status == "submitted")
            if application is None and self.barred:  # try the latest anyway: it must be refused
                application = self._latest(Application)
            if application is not None:
                def approve():
                    self.world.complete_plan(application, self.officer)
                    services.run_screening(s, application, by=self.officer, now=clock)  # eligible: no rules
                    half = application.requested_amount // 2
                    services.decide(s, application, outcome="approve", amount=None, reasons="Bra", conditions="",
                                    tranches=[services.TrancheInput(clock.date(), half),
                                              services.TrancheInput(clock.date(), application.requested_amount - half)],
                                    expected_version=application.version, by=self.decider, now=clock)
                self.attempt(approve)
        elif name == "release":
            tranche = self._mine(Tranche, Tranche.status == "scheduled") or (self._latest(Tranche) if self.barred
                                                                             else None)
            if tranche is not None:
                self.attempt(lambda: payments.release_tranche(s, tranche, by=self.officer, now=clock))
        elif name == "scheduler_release":
            due = [t for t in payments.releasable_tranches(s, clock) if t.grant.organisation_id == self.org.id]
            assert not (self.barred and due), "the scheduler offered a barred organisation's tranche"
            for tranche in due:
                self.attempt(lambda t=tranche: payments.release_tranche(s, t, by=None, now=clock))
        elif name == "pay":
            tranche = self._mine(Tranche, Tranche.status == "released") or (self._latest(Tranche) if self.barred
                                                                            else None)
            if tranche is not None:
                self.attempt(lambda: payments.mark_tranche_paid(s, tranche, by=self.officer, now=clock))
        elif name in ("notice", "withdraw") and case is None and self.org.status == "active":
            finding = eligibility.report_finding(
                s, organisation=self.org, conduct_on=clock.date() - timedelta(days=1), category="incitement",
                actor_kind="organisation", actor_name="", source_category="media", evidence="x",
                by=self.coordinator, reporting_committee_id=None, now=clock)
            s.flush()
            case = eligibility.assess_finding(s, finding, confirm=True, reason="Styrkt.", by=self.coordinator,
                                              now=clock)
            s.commit()
        if name in ("withdraw", "close_case") and case is not None and self.org.status == "under_notice":
            self.clock = max(self.clock, case.reply_deadline + timedelta(minutes=1))
            eligibility.decide_case(s, case, withdraw=name == "withdraw", reason="Beslut.", by=self.coordinator,
                                    now=self.clock)
            s.commit()
        elif name == "reinstate" and self.barred:
            eligibility.reinstate(s, self.org, reason="Ny styrelse.", by=self.coordinator, now=clock)
            s.commit()
        self.check()

    def check(self) -> None:
        """While barred: no active grant, no tranche waiting to be paid, no open application."""
        if not self.barred:
            return
        assert self._mine(Grant, Grant.status == "active") is None
        assert self._mine(Tranche, Tranche.status.in_(["scheduled", "released"])) is None
        assert self._mine(Application, Application.status.in_(["submitted", "in_review", "returned"])) is None


@pytest.fixture
def empty_rule_set(world):
    return world.rule_set()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_no_sequence_of_service_calls_lets_a_barred_organisation_receive_money(session, world, factory, now,
                                                                               empty_rule_set, steps):
    run = Run(session, world, factory, now)
    for name in steps:
        run.step(name)


def test_the_property_meets_refusals_it_can_count(session, world, factory, now, empty_rule_set):
    """The property is not vacuous: this sequence reaches a barred organisation with money pending,
    and each service refuses it."""
    run = Run(session, world, factory, now)
    for name in ("apply", "approve", "apply", "withdraw", "apply", "approve", "release", "scheduler_release", "pay"):
        run.step(name)
    # Refused: the new application (its draft), the approval, the release and the payment.
    assert run.barred and run.refused_while_barred == 4
    run.step("reinstate")
    run.step("apply")
    run.step("approve")
    run.step("release")
    run.step("pay")
    paid = session.scalars(select(Tranche).join(Grant).where(Grant.organisation_id == run.org.id,
                                                             Tranche.status == "paid")).all()
    assert len(paid) == 1 and paid[0].paid_at > run.org.status_changed_at
