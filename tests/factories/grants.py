"""Programmes, applications, reviews, plans, decisions and grants, tranches and reports."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from eligibility import services as eligibility_services
from eligibility.models import RuleOutcome, RuleSet, Screening
from grants import payments
from grants import services as grants_services
from grants.models import (Application, ApplicationStatus, Grant, Milestone, Programme, Review, Tranche,
                           TrancheStatus)
from grants.withdrawal import end_grant
from monitoring import reports as report_services
from monitoring.models import GranteeReport
from organisations.models import Organisation
from portal.models import Committee, Role, User
from tests.factories.base import builder, serial


class GrantBuilders:
    @builder
    def programme(self, committee: Committee, *, title: str | None = None, area: str = "targeted",
                  budget: int = 100_000_00, max_per_grant: int = 50_000_00, opens_on: date | None = None,
                  closes_on: date | None = None, districts=("Rinkeby-Kista",), target_groups=("unga",),
                  description: str = "Förebyggande arbete", published: bool = True, by: User | None = None,
                  criteria=None) -> Programme:
        """A programme created (and published) by an officer of the committee: open from ten days
        ago for thirty days unless dates are given."""
        by = by or self._officer_of(committee.id)
        criteria = criteria or [grants_services.CriterionInput("Relevans", 2),
                                grants_services.CriterionInput("Genomförbarhet", 1)]
        programme = grants_services.create_programme(
            self.session, committee_id=committee.id, by=by, now=self.now, criteria=criteria,
            values={"title": title or f"Utlysning {serial()}", "description": description, "action_area": area,
                    "target_groups": list(target_groups), "districts": list(districts), "budget": budget,
                    "max_per_grant": max_per_grant, "opens_on": opens_on or self.now.date() - timedelta(days=10),
                    "closes_on": closes_on or self.now.date() + timedelta(days=30),
                    "reporting_rhythm": "interim_final"})
        if published:
            grants_services.publish_programme(self.session, programme, by=by, now=self.now)
        return programme

    @builder
    def application(self, programme: Programme, organisation: Organisation, applicant: User | None = None, *,
                    title: str = "Samtalsgrupper för unga", aims: str = "Minska rekrytering",
                    activities: str = "Samtal varje vecka", method: str = "Mentorskap",
                    target_group: str = "Unga 15–20", participants=None,
                    period=(date(2026, 4, 1), date(2026, 12, 31)), requested: int = 40_000_00, budget_lines=None,
                    partners: str = "Fritidsgården", steps: int = 5, submit: bool = False,
                    at: datetime | None = None) -> Application:
        """An application started by a representative (the first unless given) and filled in step by
        step up to `steps`, at `at` (now); submitted (and so screened) with `submit`."""
        at = at or self.now
        applicant = applicant or organisation.representatives[0].user
        s = self.session
        app = grants_services.start_application(s, programme=programme, organisation=organisation, by=applicant,
                                                now=at)
        participants = participants or {"women": {"0-17": 10}, "men": {"0-17": 12}, "other": {"18-25": 1}}
        budget_lines = budget_lines or [grants_services.BudgetLineInput(
            "Personal", requested + 10_000_00, own_funding=5_000_00, other_funding=5_000_00)]
        values = [
            {"title": title},
            {"aims": aims, "activities": activities, "method": method, "target_group": target_group},
            participants,
            {"period_start": period[0], "period_end": period[1], "requested_amount": requested,
             "budget_lines": budget_lines},
            {"partners": partners},
        ]
        for step, step_values in enumerate(values[:steps], start=1):
            grants_services.save_step(s, app, step, step_values, by=applicant, now=at)
        if submit:
            grants_services.submit_application(s, app, by=applicant, now=at)
        return app

    @builder
    def submit(self, application: Application, at: datetime | None = None) -> Application:
        applicant = application.organisation.representatives[0].user
        return grants_services.submit_application(self.session, application, by=applicant, now=at or self.now)

    @builder
    def set_application_status(self, application: Application, status: str, at: datetime | None = None) -> Application:
        """Move a filled-in draft to `status` the way people do: submit, assign a reviewer, return,
        withdraw. (Ineligible only comes from a withdrawal of support: force_application_status.)"""
        at = at or self.now
        officer = self._officer_of(application.programme.committee_id)
        applicant = application.organisation.representatives[0].user
        if status == ApplicationStatus.DRAFT.value:
            return application
        if status == ApplicationStatus.WITHDRAWN.value:
            return grants_services.withdraw_application(self.session, application, by=applicant, now=at)
        grants_services.submit_application(self.session, application, by=applicant, now=at)
        if status == ApplicationStatus.IN_REVIEW.value:
            grants_services.assign_reviewer(self.session, application, reviewer=officer, by=officer, now=at)
        elif status == ApplicationStatus.RETURNED.value:
            grants_services.return_for_completion(self.session, application, message="Komplettera budgeten.",
                                                  by=officer, now=at)
        elif status != ApplicationStatus.SUBMITTED.value:
            raise ValueError(f"no service path to the status {status!r}")
        return application

    @builder
    def review(self, application: Application, reviewer: User | None = None, *, score: int = 4,
               recommendation: str = "approve", conflict: bool = False, at: datetime | None = None) -> Review:
        """A reviewer (an officer of the committee) assigned, declaring no conflict, scoring every criterion."""
        at = at or self.now
        reviewer = reviewer or self._officer_of(application.programme.committee_id)
        review = grants_services.assign_reviewer(self.session, application, reviewer=reviewer, by=reviewer, now=at)
        grants_services.declare_conflict(self.session, review, has_conflict=conflict,
                                         reason="Jäv." if conflict else "", by=reviewer, now=at)
        if not conflict:
            grants_services.submit_review(
                self.session, review, scores={c.id: (score, "") for c in application.programme.criteria},
                recommendation=recommendation, comment="", by=reviewer, now=at)
        return review

    @builder
    def plan(self, application: Application, officer: User | None = None, *, indicators=None, milestones=None,
             evaluation_dates=None, at: datetime | None = None):
        """A follow-up plan saved by an officer. By default complete: one indicator, an interim report
        halfway, a final report a month after the period, an evaluation a month after that."""
        officer = officer or self._officer_of(application.programme.committee_id)
        start, end = application.period_start, application.period_end
        indicators = indicators if indicators is not None else [grants_services.IndicatorInput(
            "Färre unga rekryteras", "Deltagare som fullföljer", "personer", Decimal("0"), Decimal("20"), True)]
        if milestones is None:
            milestones = [grants_services.MilestoneInput("interim", start + (end - start) / 2),
                          grants_services.MilestoneInput("final", end + timedelta(days=31))]
        if evaluation_dates is None:
            evaluation_dates = [end + timedelta(days=60)]
        return grants_services.save_plan(
            self.session, application, responsible_officer_id=officer.id, indicators=list(indicators),
            milestones=list(milestones), evaluation_dates=list(evaluation_dates), by=officer, now=at or self.now)

    @builder
    def eligible_screening(self, application: Application, officer: User | None = None,
                           at: datetime | None = None) -> Screening:
        """Screen the application as an officer does before a decision (publishing the default rule
        set if none is), answering each "needs assessment" with pass and a reason. Raises if a rule
        fails: the services refuse money to that organisation (see force_eligible_screening)."""
        at = at or self.now
        officer = officer or self._officer_of(application.programme.committee_id)
        if self.session.scalar(select(func.count(RuleSet.id))) == 0:
            self.rule_set()
        screening = grants_services.run_screening(self.session, application, by=officer, now=at)
        for result in screening.results:
            if result.outcome == RuleOutcome.NEEDS_ASSESSMENT.value:
                eligibility_services.resolve_result(self.session, result, outcome="pass",
                                                    reason="Bedömd av handläggaren.", by=officer, now=at)
        if not screening.is_eligible:
            failed = [r.rule_id for r in screening.results if r.effective_outcome == RuleOutcome.FAIL.value]
            raise ValueError(f"the organisation is not eligible ({', '.join(failed)}): the services refuse it money")
        return screening

    @builder
    def decide(self, application: Application, decider: User | None = None, *, outcome: str = "approve",
               amount: int | None = None, tranches=None, reasons: str = "Bra ansökan.", at: datetime | None = None):
        """grants.services.decide, the only way a decision happens."""
        decider = decider or self._staff_of(application.programme.committee_id, Role.DECISION_MAKER)
        return grants_services.decide(
            self.session, application, outcome=outcome, amount=amount, reasons=reasons, conditions="",
            tranches=tranches, expected_version=application.version, by=decider, now=at or self.now)

    @builder
    def grant(self, *, committee: Committee | None = None, organisation: Organisation | None = None,
              representative: User | None = None, officer: User | None = None, decider: User | None = None,
              programme: Programme | None = None, period=(date(2026, 4, 1), date(2026, 12, 31)),
              requested: int = 40_000_00, amount: int | None = None, tranches=None, indicators=None,
              milestones=None, evaluation_dates=None, at: datetime | None = None,
              force_eligible: bool = False, **application) -> Grant:
        """A grant as it really comes about: an application filled in and submitted while the
        programme was open, a follow-up plan, a screening, and an approving decision at `at` (now).
        `tranches`: TrancheInput list (default: one tranche of the whole amount). `force_eligible`
        replaces the screening by force_eligible_screening (name the reason in the test)."""
        at = at or self.now
        committee = committee or (programme.committee if programme else self.committee())
        officer = officer or self._officer_of(committee.id)
        organisation = organisation or self.organisation(representative=representative)
        representative = representative or organisation.representatives[0].user
        if programme is None:
            applied = at - timedelta(days=30)
            programme = self.programme(committee, opens_on=applied.date() - timedelta(days=10),
                                       closes_on=applied.date() + timedelta(days=10), budget=max(100_000_00, requested),
                                       max_per_grant=max(50_000_00, requested))
        app = self.application(programme, organisation, representative, period=period, requested=requested,
                               submit=True, at=self._applied_at(programme, at), **application)
        self.plan(app, officer, indicators=indicators, milestones=milestones, evaluation_dates=evaluation_dates, at=at)
        if force_eligible:
            self.force_eligible_screening(app, at)
        else:
            self.eligible_screening(app, officer, at)
        decision = self.decide(app, decider, amount=amount,
                               outcome="approve" if amount in (None, requested) else "partly_approve",
                               tranches=tranches, at=at)
        return self.session.scalar(select(Grant).where(Grant.decision_id == decision.id))

    @staticmethod
    def _applied_at(programme: Programme, decided: datetime) -> datetime:
        """When to apply for a decision at `decided`: the last day the programme was open, at most
        the decision's day (at midnight, so before the decision)."""
        day = min(programme.closes_on, decided.date())
        if day < programme.opens_on:
            raise ValueError("the programme opens after the decision")
        return min(datetime.combine(day, time(0, 0)), decided - timedelta(minutes=1))

    def tranche_input(self, due_on: date, amount: int, milestone_id: int | None = None):
        return grants_services.TrancheInput(due_on=due_on, amount=amount,
                                            condition="milestone_approved" if milestone_id else "none",
                                            milestone_id=milestone_id)

    @builder
    def release(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        return payments.release_tranche(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                        now=at or self.now)

    @builder
    def pay(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        """Released (if still scheduled) and marked paid at `at`."""
        if tranche.status == TrancheStatus.SCHEDULED.value:
            self.release(tranche, at, by)
        return payments.mark_tranche_paid(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                          now=at or self.now)

    @builder
    def cancel(self, tranche: Tranche, at: datetime | None = None, by: User | None = None) -> Tranche:
        return payments.cancel_tranche(self.session, tranche, by=by or self._officer_of(tranche.grant.committee_id),
                                       now=at or self.now)

    @builder
    def withdraw_grant(self, grant: Grant, reason: str = "Indraget.", at: datetime | None = None) -> Grant:
        """grants.withdrawal.end_grant, as a withdrawal of support ends a grant."""
        end_grant(self.session, grant, reason=reason, by=None, now=at or self.now)
        return grant

    @builder
    def report(self, grant: Grant, milestone: Milestone | None = None, *, submit: bool = True, approve: bool = False,
               participants=None, indicator_value: str = "11", activities: str = "Tolv träffar.",
               at: datetime | None = None, approved_at: datetime | None = None) -> GranteeReport:
        """A report saved (and submitted) by a representative at `at`, approved by an officer at
        `approved_at` with `approve`."""
        from monitoring.queries import plan_for_grant

        plan = plan_for_grant(self.session, grant)
        milestone = milestone or plan.milestones[0]
        participants = participants or {"women": {"18-25": 6}, "men": {"18-25": 5}}
        values = {}
        for indicator in plan.indicators:
            total = int(indicator_value)
            values[indicator.id] = {"value": indicator_value}
            if indicator.by_gender:
                values[indicator.id].update(women=str(total - total // 2), men=str(total // 2), other="0")
        data = report_services.ReportInput(activities=activities, participants=participants, indicators=values)
        report = report_services.save_report(self.session, grant, milestone, data,
                                             by=grant.organisation.representatives[0].user, now=at or self.now,
                                             submit=submit or approve)
        if approve:
            report_services.approve_report(self.session, report, by=self._officer_of(grant.committee_id),
                                           now=approved_at or at or self.now)
        return report
