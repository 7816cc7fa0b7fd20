"""The generator makes a consistent city history, of the sizes asked for."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from stdnum.se import orgnr

from bench.generate import BENCH_USERS, AlreadyGenerated, Sizes
from eligibility.models import CaseStatus, Finding, FindingStatus, RuleSet, Screening, WithdrawalCase
from grants.models import (Application, ApplicationStatus, Decision, DecisionOutcome, EvaluationPoint, FollowUpPlan,
                           Grant, GrantStatus, Indicator, Milestone, Programme, Tranche, TrancheStatus)
from monitoring.models import Evaluation, Experience, GranteeReport
from organisations.models import DeclarationSignature, Organisation, Representative
from portal.models import Committee, Role, RoleGrant, User


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_generated_history_has_the_sizes_asked_for(generated, session):
    sizes = Sizes.at_scale(0.002)
    counts = generated(0.002)
    assert count(session, Committee) == sizes.committees == counts["committee"]
    assert count(session, Organisation) == sizes.organisations
    assert count(session, Programme) == sizes.programmes
    assert count(session, Application) == sizes.applications
    assert count(session, Grant) == sizes.grants
    assert count(session, GranteeReport) == sizes.reports
    assert count(session, Evaluation) == sizes.evaluations
    assert count(session, Experience) == sizes.experiences
    assert count(session, Finding) == sizes.findings == counts["finding"]
    assert count(session, WithdrawalCase) == sizes.withdrawals == counts["withdrawal_case"]


def test_sizes_multiply_with_scale_and_accept_overrides():
    one, ten = Sizes.at_scale(1), Sizes.at_scale(10)
    assert (one.committees, one.organisations, one.applications, one.grants, one.reports) == (20, 5000, 20000, 8000,
                                                                                               40000)
    assert (one.evaluations, one.experiences, one.findings, one.withdrawals) == (2000, 500, 200, 10)
    assert ten.organisations == 10 * one.organisations and ten.reports == 10 * one.reports
    assert ten.withdrawals == 100
    assert Sizes.at_scale(1, organisations=123).organisations == 123
    with pytest.raises(ValueError):
        Sizes.at_scale(1, grants=30000)  # more grants than applications
    with pytest.raises(ValueError):
        Sizes.at_scale(1, findings=5)  # ten withdrawals need ten confirmed findings


def test_counts_grow_with_scale_in_the_database(generated, session, fresh_app):
    small = generated(0.001)
    from portal.extensions import db

    bigger_app = fresh_app()
    with bigger_app.app_context():
        from bench.generate import generate
        from portal.security import hash_password

        bigger = generate(db.session, Sizes.at_scale(0.004), seed=7, now=bigger_app.config["FIXED_NOW"],
                          password_hash=hash_password("x" * 12))
    for table in ("organisation", "application", "grant_award", "grantee_report"):
        assert bigger[table] == 4 * small[table], table


def test_organisations_have_valid_unique_numbers_a_board_a_representative_and_a_signature(generated, session):
    generated(0.004)
    numbers = session.scalars(select(Organisation.org_number)).all()
    assert len(numbers) == len(set(numbers))
    assert all(orgnr.is_valid(n) for n in numbers)
    for organisation in session.scalars(select(Organisation)):
        assert organisation.districts and len(organisation.board_members) == 3
        assert any(b.authorised_signatory for b in organisation.board_members)
        assert organisation.representatives
    signed = set(session.scalars(select(DeclarationSignature.organisation_id)))
    assert signed == set(session.scalars(select(Organisation.id)))


def test_every_role_has_users_and_every_committee_has_officers_and_decision_makers(generated, session):
    generated(0.002)
    for role, email in BENCH_USERS.items():
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None and user.holds_role_anywhere(role)
    for committee_id in session.scalars(select(Committee.id)):
        roles = Counter(session.scalars(select(RoleGrant.role).where(RoleGrant.committee_id == committee_id)))
        assert roles[Role.OFFICER.value] >= 1 and roles[Role.DECISION_MAKER.value] >= 1
    applicant = session.scalar(select(User).where(User.email == BENCH_USERS[Role.APPLICANT]))
    assert session.scalar(select(func.count()).select_from(Representative)
                          .where(Representative.user_id == applicant.id)) == 3


def test_tranches_add_up_to_each_grant_amount(generated, session):
    generated(0.004)
    sums = dict(session.execute(select(Tranche.grant_id, func.sum(Tranche.amount)).group_by(Tranche.grant_id)).all())
    grants = session.scalars(select(Grant)).all()
    assert grants
    for grant in grants:
        assert sums[grant.id] == grant.amount > 0


def test_grants_come_from_approving_decisions_with_complete_plans(generated, session):
    generated(0.004)
    for grant in session.scalars(select(Grant)):
        decision = session.get(Decision, grant.decision_id)
        application = grant.application
        assert decision.application_id == application.id
        assert decision.outcome in (DecisionOutcome.APPROVE.value, DecisionOutcome.PARTLY_APPROVE.value)
        assert decision.amount == grant.amount <= application.requested_amount
        assert application.status == ApplicationStatus.DECIDED.value
        assert grant.organisation_id == application.organisation_id
        assert grant.committee_id == application.programme.committee_id
        plan = application.plan
        assert plan.indicators and plan.evaluation_points
        assert any(m.kind == "final" for m in plan.milestones)
        screening = session.get(Screening, decision.screening_id)
        assert screening.application_id == application.id and screening.is_eligible


def test_application_states_are_realistic(generated, session):
    generated(0.004)
    states = Counter(session.scalars(select(Application.status)))
    assert set(states) <= {s.value for s in ApplicationStatus}
    for status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW,
                   ApplicationStatus.DECIDED, ApplicationStatus.WITHDRAWN):
        assert states[status.value] > 0, status
    # Drafts have no reference; every decided application has exactly one decision.
    assert session.scalar(select(func.count()).select_from(Application).where(
        Application.status == ApplicationStatus.DRAFT.value, Application.reference.is_not(None))) == 0
    decided = states[ApplicationStatus.DECIDED.value]
    assert count(session, Decision) == decided
    rejected = session.scalar(select(func.count()).select_from(Decision).where(
        Decision.outcome == DecisionOutcome.REJECT.value))
    assert decided - rejected == count(session, Grant)


def test_reports_evaluations_and_experiences_belong_to_their_grants(generated, session):
    generated(0.004)
    for report in session.scalars(select(GranteeReport)):
        plan = session.get(FollowUpPlan, report.milestone.plan_id)
        assert plan.application_id == report.grant.application_id
    for evaluation in session.scalars(select(Evaluation)):
        point = session.get(EvaluationPoint, evaluation.evaluation_point_id)
        assert point.plan.application_id == evaluation.grant.application_id
        assert evaluation.committee_id == evaluation.grant.committee_id
    for experience in session.scalars(select(Experience)):
        evaluation = session.get(Evaluation, experience.evaluation_id)
        assert evaluation.share and evaluation.status == "completed"
        if experience.organisation_named:
            assert session.get(Organisation, experience.organisation_id).consents_to_name_in_experiences
    # Approved reports mark their milestone approved (tranche conditions read it).
    approved = session.scalars(select(GranteeReport).where(GranteeReport.status == "approved")).all()
    assert approved and all(r.milestone.report_approved_at is not None for r in approved)
    assert count(session, Indicator) == 2 * count(session, Grant)
    assert count(session, Milestone) >= count(session, GranteeReport)


def test_a_published_rule_set_and_screenings_exist(generated, session):
    generated(0.002)
    rule_set = session.scalar(select(RuleSet))
    assert rule_set.published_at is not None and rule_set.rules
    screened_orgs = set(session.scalars(select(Screening.organisation_id).where(Screening.trigger == "batch")))
    assert screened_orgs == set(session.scalars(select(Organisation.id)))


def test_the_generator_refuses_a_database_that_already_has_benchmark_data(generated):
    generated(0.001)
    with pytest.raises(AlreadyGenerated):
        generated(0.001)


def test_new_rows_after_generation_get_fresh_ids(generated, session, factory):
    """On PostgreSQL the sequences must be moved past the generated ids."""
    generated(0.001)
    committee = factory.committee()
    assert committee.id > max(session.scalars(select(Committee.id).where(Committee.id != committee.id)))


def test_withdrawn_organisations_are_barred_with_no_active_grant_and_no_money_to_come(generated, session):
    generated(0.01, findings=12, withdrawals=3)
    cases = session.scalars(select(WithdrawalCase)).all()
    assert len(cases) == 3 and all(c.status == CaseStatus.WITHDRAWN.value for c in cases)
    for case in cases:
        assert case.organisation.status == "barred"
        assert case.finding.status == FindingStatus.CONFIRMED.value
        assert case.decided_at > case.reply_deadline  # decided only after the organisation could reply
        grants = session.scalars(select(Grant).where(Grant.organisation_id == case.organisation_id)).all()
        assert all(g.status != GrantStatus.ACTIVE.value for g in grants)
        assert not [t for g in grants for t in g.tranches
                    if t.status in (TrancheStatus.SCHEDULED.value, TrancheStatus.RELEASED.value)]
    # The other findings are in every state a coordinator leaves them in.
    statuses = Counter(session.scalars(select(Finding.status)))
    assert statuses[FindingStatus.REPORTED.value] and statuses[FindingStatus.DISMISSED.value]
    # The benchmark applicant's organisations are never barred: its pages must keep working.
    applicant = session.scalar(select(User).where(User.email == BENCH_USERS[Role.APPLICANT]))
    own = session.scalars(select(Representative.organisation_id).where(Representative.user_id == applicant.id))
    assert all(session.get(Organisation, oid).status == "active" for oid in own)
