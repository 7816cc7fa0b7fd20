"""The application page and the grant page read what they show in a fixed, small number of
queries (issue 8), and still show the same things."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from eligibility.screening import screen
from grants import services
from grants.models import EvaluationPoint, FollowUpPlan, Grant, Indicator, Milestone, RepaymentClaim
from portal.models import Role
from tests.conftest import login

# The most each page may issue for an officer, the query behind the session (user and roles) included.
APPLICATION_PAGE_QUERIES = 10
APPLICATION_IN_REVIEW_QUERIES = APPLICATION_PAGE_QUERIES + 1  # and the committee's officers, to assign one
# One query for the eligibility badge: the committee of the screening's application, to ask whether
# the user may open that screening (eligibility.services.openable_screening_ids); one for the money
# gate (eligibility.money_gate), asked once for every button.
GRANT_PAGE_QUERIES = 9


def _login(client, user):
    client.post("/logout")
    assert login(client, user.email).status_code == 302


def _submit_and_review(session, application, s, now):
    """Submitted, and scored by the officer: (4*2 + 1*1) / 3 = 3.00."""
    services.submit_application(session, application, by=s.applicant, now=now)
    review = services.assign_reviewer(session, application, reviewer=s.officer, by=s.officer, now=now)
    services.declare_conflict(session, review, has_conflict=False, reason="", by=review.reviewer, now=now)
    relevance, feasibility = s.programme.criteria
    services.submit_review(session, review, scores={relevance.id: (4, ""), feasibility.id: (1, "")},
                           recommendation="approve", comment="Bra", by=review.reviewer, now=now)
    return review


def _approve(session, world, application, s, now):
    world.complete_plan(application, s.officer)
    services.decide(session, application, outcome="approve", amount=None, reasons="Bra", conditions="",
                    tranches=None, expected_version=application.version, by=s.decider, now=now)
    session.commit()
    return session.scalar(select(Grant).where(Grant.application_id == application.id))


def _badge(html):
    start = html.index('data-eligibility="')
    return html[start:html.index("</p>", start)]


@pytest.fixture
def granted(scenario, world, session, now):
    _submit_and_review(session, scenario.application, scenario, now)
    scenario.grant = _approve(session, world, scenario.application, scenario, now)
    return scenario


def _earlier_grant(session, world, s, now):
    """Another approved application of the same organisation: an earlier grant on the page."""
    application = world.filled_application(s.programme, s.organisation, s.applicant, requested=5_000_00)
    _submit_and_review(session, application, s, now)
    return _approve(session, world, application, s, now)


def test_application_page_shows_reviews_plan_decision_and_earlier_grants_in_few_queries(
        client, granted, world, session, now, count_queries):
    page_url = f"/staff/applications/{granted.application.id}"
    _login(client, granted.officer)
    with count_queries() as few:
        page = client.get(page_url).get_data(as_text=True)
    assert "3.00" in page and "Hanna Handläggare" in page and "Bertil Beslutsfattare" in page
    assert "Uppföljningsplanen är komplett." in page and "Gäller inte för ett bifall" not in page
    assert 'name="reviewer_id"' not in page  # decided: no reviewer to assign

    earlier = [_earlier_grant(session, world, granted, now) for _ in range(2)]
    screen(session, organisation=granted.organisation, trigger="manual", by=None, now=now)
    session.commit()
    with count_queries() as more:
        page = client.get(page_url).get_data(as_text=True)
    assert all(g.application.reference in page for g in earlier)
    assert few.count <= APPLICATION_PAGE_QUERIES
    assert more.count == few.count


def test_application_in_review_lists_reviewers_and_officers_in_the_same_few_queries(
        client, scenario, factory, session, now, count_queries):
    _submit_and_review(session, scenario.application, scenario, now)
    session.commit()
    page_url = f"/staff/applications/{scenario.application.id}"
    _login(client, scenario.officer)
    with count_queries() as few:
        client.get(page_url)
    other = factory.user(role=Role.OFFICER, committee=scenario.committee, name="Olle Officer")
    services.assign_reviewer(session, scenario.application, reviewer=other, by=scenario.officer, now=now)
    session.commit()
    with count_queries() as more:
        page = client.get(page_url).get_data(as_text=True)
    assert page.count("Olle Officer") == 2  # a reviewer, and a choice in the list of officers
    assert few.count <= APPLICATION_IN_REVIEW_QUERIES
    assert more.count == few.count


def test_application_page_badge_shows_the_organisations_newest_screening_beside_the_applications_own(
        client, granted, session, now):
    from eligibility.models import Screening

    own = session.scalars(select(Screening).where(Screening.application_id == granted.application.id)).all()
    for screening in own:
        screening.run_at = now - timedelta(days=40)  # too old for an approval
    newest = screen(session, organisation=granted.organisation, trigger="manual", by=None, now=now)
    session.commit()
    _login(client, granted.officer)
    page = client.get(f"/staff/applications/{granted.application.id}").get_data(as_text=True)
    assert f"/screenings/{newest.id}" in _badge(page) and "Gäller inte för ett bifall" in page


def test_grant_page_reads_in_a_fixed_number_of_queries(client, granted, session, now, count_queries):
    page_url = f"/grants/{granted.grant.id}"  # read before counting: the test's own session reloads it
    _login(client, granted.officer)
    with count_queries() as few:
        page = client.get(page_url).get_data(as_text=True)
    assert "Hanna Handläggare" in page and "Deltagare som fullföljer" in page and "2027-01-31" in page
    plan = granted.application.plan
    session.add_all([Indicator(plan_id=plan.id, objective="Fler", name="Nytt mått", unit="st", baseline=0,
                               target=Decimal(5)),
                     Milestone(plan_id=plan.id, kind="interim", due_on=date(2026, 10, 1)),
                     EvaluationPoint(plan_id=plan.id, due_on=date(2027, 6, 1))])
    session.add(RepaymentClaim(grant_id=granted.grant.id, amount=1_000_00, reason="Ej använt", status="raised",
                               created_at=now))
    session.commit()
    with count_queries() as more:
        page = client.get(page_url).get_data(as_text=True)
    assert "Nytt mått" in page and "2027-06-01" in page and "Ej använt" in page
    assert few.count <= GRANT_PAGE_QUERIES
    assert more.count == few.count


def _plan(session, application, now, *, officer=None, indicators=(), milestones=(), evaluations=()):
    plan = FollowUpPlan(application_id=application.id, responsible_officer_id=officer, created_at=now,
                        updated_at=now)
    session.add(plan)
    session.flush()
    for objective, name, unit in indicators:
        session.add(Indicator(plan_id=plan.id, objective=objective, name=name, unit=unit, baseline=0,
                              target=Decimal(10)))
    for kind, due in milestones:
        session.add(Milestone(plan_id=plan.id, kind=kind, due_on=due))
    for due in evaluations:
        session.add(EvaluationPoint(plan_id=plan.id, due_on=due))
    session.commit()
    session.expire_all()
    return plan


@pytest.mark.parametrize("shape", ["empty", "incomplete_indicator", "late_final", "complete", "interim_only"])
def test_plan_outline_read_in_one_query_agrees_with_the_loaded_plan(scenario, session, now, shape):
    officer = scenario.officer.id
    good = [("Färre rekryteras", "Deltagare", "personer")]
    shapes = {
        "empty": {},
        "incomplete_indicator": dict(officer=officer, indicators=good + [("Mål", "Mått", "")],
                                     milestones=[("final", date(2027, 1, 31))], evaluations=[date(2027, 3, 1)]),
        "late_final": dict(officer=officer, indicators=good, evaluations=[date(2027, 3, 1)],
                           milestones=[("final", date(2028, 1, 31)), ("final", date(2028, 3, 1))]),
        "complete": dict(officer=officer, indicators=good, evaluations=[date(2027, 3, 1)],
                         milestones=[("interim", date(2026, 8, 31)), ("final", date(2027, 1, 31))]),
        "interim_only": dict(indicators=good, milestones=[("interim", date(2026, 8, 31))]),
    }
    application = scenario.application
    assert services.plan_outline(session, application.id) is None
    _plan(session, application, now, **shapes[shape])
    outline = services.plan_outline(session, application.id)
    assert outline == services.PlanOutline.of(application.plan)
    assert (services.outline_problems(outline, application.period_end, 60)
            == services.plan_problems(application.plan, application.period_end, 60))
    assert bool(services.outline_problems(outline, application.period_end, 60)) == (shape != "complete")
