"""States the services refuse, or rows no service makes: each a method named for what it
forces, for the tests that deliberately need it (see the package docstring)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from eligibility.models import RuleSet, Screening, ScreeningOutcome
from grants.models import Application, Grant, Milestone, Tranche
from monitoring.models import Evaluation, Experience, GranteeReport
from organisations import services as organisation_services
from organisations.models import BoardMember, DeclarationSignature, Organisation
from portal.models import Committee, User


class ForcedStates:
    def force_status(self, org: Organisation, status: str) -> None:
        """Under notice or barred with no finding or case behind it (the eligibility services reach
        these states only through a confirmed finding): for tests of the status alone."""
        org.status = status
        org.status_changed_at = self.now
        self.session.commit()

    def force_org_number(self, org: Organisation, number: str) -> None:
        """A number the registry refuses (a wrong check digit), for tests of the rule that must catch it."""
        org.org_number = number
        self.session.commit()

    def force_no_districts(self, org: Organisation) -> None:
        """An organisation with no district of activity, which registration refuses."""
        org.districts.clear()
        self.session.commit()

    def force_no_board(self, org: Organisation) -> None:
        """An organisation without a board, which registration refuses."""
        org.board_members.clear()
        self.session.commit()

    def force_board_member(self, org: Organisation, name: str = "Ordförande Ordsson", role: str = "chair",
                           authorised: bool = False) -> BoardMember:
        """A board member added by hand, for boards the profile service refuses (no signatory)."""
        member = BoardMember(organisation_id=org.id, name=name, role=role, authorised_signatory=authorised)
        self.session.add(member)
        self.session.commit()
        return member

    def force_signature(self, org: Organisation, member: BoardMember | None, *, at: datetime | None = None,
                        expires_at: datetime | None = None) -> DeclarationSignature:
        """A signature the declaration service refuses: by someone not (or not recorded as) an
        authorised signatory of this organisation's board."""
        text = self.declaration_text()
        at = at or self.now - timedelta(days=10)
        months = current_app.config["DECLARATION_VALID_MONTHS"]
        signature = DeclarationSignature(
            organisation_id=org.id, text_id=text.id, signed_by_id=org.representatives[0].user_id,
            signatory_board_member_id=member.id if member else None,
            signatory_name=member.name if member else "Någon Annan", signed_at=at,
            expires_at=expires_at or organisation_services.add_months(at, months))
        self.session.add(signature)
        self.session.commit()
        return signature

    def force_empty_rule_set(self, validity_days: int = 30) -> RuleSet:
        """A published rule set without rules, which publish_rule_set refuses: every screening is
        then eligible, so tests of the grant rules are not also tests of the eligibility rules."""
        latest = self.session.scalar(select(func.max(RuleSet.version))) or 0
        rule_set = RuleSet(version=latest + 1, name=f"Regler v{latest + 1}", rules=[], validity_days=validity_days,
                           published_at=self.now, created_at=self.now)
        self.session.add(rule_set)
        self.session.commit()
        return rule_set

    def force_application_status(self, application: Application, status: str) -> Application:
        """A status set by hand: "closed_ineligible" without a withdrawal of support behind it."""
        application.status = status
        self.session.commit()
        return application

    def force_application_terms(self, application: Application, *, requested: int | None = None,
                                period: tuple | None = None) -> Application:
        """Terms the draft service refuses (more than the maximum per grant, no period), for tests of
        the eligibility rule that must catch them all the same."""
        if requested is not None:
            application.requested_amount = requested
        if period is not None:
            application.period_start, application.period_end = period
        self.session.commit()
        return application

    def force_eligible_screening(self, application: Application, at: datetime | None = None) -> Screening:
        """An eligible screening written by hand, with no rule results: for tests that need a grant
        for an organisation the rules would refuse (a confirmed finding, a long overdue report).
        The decision itself still goes through decide()."""
        at = at or self.now
        rule_set = self.session.scalar(select(RuleSet).order_by(RuleSet.version.desc()).limit(1))
        if rule_set is None:
            rule_set = self.rule_set()
        screening = Screening(organisation_id=application.organisation_id, application_id=application.id,
                              rule_set_id=rule_set.id, trigger="manual", run_at=at,
                              outcome=ScreeningOutcome.ELIGIBLE.value, results=[])
        self.session.add(screening)
        self.session.flush()
        return screening

    def force_grant_status(self, grant: Grant, status: str, reason: str | None = None) -> Grant:
        """A grant completed (or otherwise ended) by hand: the services complete a grant only when
        every report is approved after its period, which these tests do not build."""
        grant.status = status
        grant.ended_at = self.now
        grant.end_reason = reason
        self.session.commit()
        return grant

    def force_milestone(self, grant: Grant, due_on: date, kind: str = "interim",
                        approved_at: datetime | None = None) -> Milestone:
        """A milestone added to a decided grant's plan (save_plan refuses after the decision), and
        approved at `approved_at` without a report (approve_report needs one); an approved report
        counts as handed in when it was approved (grants.followup reads it)."""
        plan = grant.application.plan
        milestone = Milestone(plan_id=plan.id, kind=kind, due_on=due_on, report_approved_at=approved_at,
                              report_handed_in_at=approved_at)
        self.session.add(milestone)
        self.session.commit()
        return milestone

    def force_plan_dates(self, grant: Grant, milestones=None, evaluation_dates=None):
        """Replace a decided grant's report milestones and evaluation dates by hand, for plans the
        decision refuses as incomplete (no final report, no evaluation)."""
        from grants.models import EvaluationPoint

        plan = grant.application.plan
        if milestones is not None:
            plan.milestones = [Milestone(kind=str(getattr(k, "value", k)), due_on=d) for k, d in milestones]
        if evaluation_dates is not None:
            plan.evaluation_points = [EvaluationPoint(due_on=d, description="") for d in evaluation_dates]
        self.session.commit()
        return plan

    def force_evaluation(self, grant: Grant, *, rating: int | None, share: str | None, status: str = "completed",
                         due_on: date | None = None) -> Evaluation:
        """An evaluation with a given rating and attainment share on a new evaluation point: the
        services compute the share from approved reports, which the figures tests set apart."""
        from grants.models import EvaluationPoint

        plan = grant.application.plan
        point = EvaluationPoint(plan_id=plan.id, due_on=due_on or grant.period_end, description="")
        self.session.add(point)
        self.session.flush()
        evaluation = Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                                status=status, due_on=point.due_on, rating=rating,
                                attainment_share=Decimal(share) if share else None, attainment=[], share=False,
                                created_at=self.now)
        self.session.add(evaluation)
        self.session.commit()
        return evaluation

    def force_experience(self, committee: Committee, title: str, *, rating: int | None = None,
                         at: datetime | None = None, published: bool = True, area: str = "targeted",
                         lessons: str = "", summary: str | None = None) -> Experience:
        """An experience with no grant or evaluation behind it. The experience bank's service only
        shares a completed evaluation, which would add a grant to the figures under test."""
        at = at or self.now
        experience = Experience(title=title, summary=summary or f"Sammanfattning av {title}", lessons=lessons,
                                rating=rating, action_area=area, committee_id=committee.id, published=published,
                                created_at=at, updated_at=at)
        self.session.add(experience)
        self.session.commit()
        return experience

    def force_bulk_grants(self, programmes, orgs, n: int, by: User) -> None:
        """n decided grants (application, decision, a paid tranche, a final milestone, every other one
        with an approved report, a completed evaluation) in a handful of INSERTs, shaped as the
        services write them: through the services a thousand grants would take minutes. For tests
        that the pages' query counts do not grow with the data."""
        from sqlalchemy import insert

        from grants.models import Decision, EvaluationPoint, FollowUpPlan

        now = self.now
        start = (self.session.scalar(select(func.max(Application.id))) or 0) + 1
        ids = range(start, start + n)

        def programme(i):
            return programmes[i % len(programmes)]

        def organisation(i):
            return orgs[i % len(orgs)]

        s = self.session
        s.execute(insert(Application), [
            dict(id=i, organisation_id=organisation(i).id, programme_id=programme(i).id, created_by_id=by.id,
                 title=f"Projekt {i}", status="decided", created_at=now, updated_at=now, version=1, aims="",
                 activities="", method="", target_group="", expected_participants={}, requested_amount=0,
                 partners="", last_step=1) for i in ids])
        s.execute(insert(Decision), [
            dict(id=i, application_id=i, outcome="approve", amount=10_000_00, reasons="", decided_by_id=by.id,
                 decided_at=datetime(2026, 1, 10)) for i in ids])
        s.execute(insert(Grant), [
            dict(id=i, application_id=i, decision_id=i, organisation_id=organisation(i).id,
                 committee_id=programme(i).committee_id, programme_id=programme(i).id, amount=10_000_00,
                 period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                 status=("active", "completed", "withdrawn")[i % 3], created_at=now) for i in ids])
        s.execute(insert(Tranche), [
            dict(grant_id=i, due_on=date(2026, 1, 1), amount=5_000_00, status="paid", condition="none")
            for i in ids])
        s.execute(insert(FollowUpPlan), [dict(id=i, application_id=i, created_at=now, updated_at=now) for i in ids])
        s.execute(insert(Milestone), [dict(id=i, plan_id=i, kind="final", due_on=date(2026, 2, 1)) for i in ids])
        s.execute(insert(GranteeReport), [
            dict(grant_id=i, milestone_id=i, status="approved", submitted_at=datetime(2026, 1, 20), participants={},
                 participants_women=3, participants_men=2, participants_other=0, spent_total=0, activities="",
                 officer_comment="", created_at=now) for i in ids if i % 2])
        s.execute(insert(EvaluationPoint), [dict(id=i, plan_id=i, due_on=date(2026, 12, 31)) for i in ids])
        s.execute(insert(Evaluation), [
            dict(grant_id=i, evaluation_point_id=i, committee_id=programme(i).committee_id, status="completed",
                 due_on=date(2026, 12, 31), rating=1 + i % 5, attainment_share=Decimal("0.750"), attainment=[],
                 what_worked="", what_did_not="", lessons="", share=False, created_at=now) for i in ids])
        s.commit()
