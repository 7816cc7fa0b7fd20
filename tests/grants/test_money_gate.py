"""Current facts at every step that moves money (issue 15, point 1; eligibility.money_gate).

Each situation arises after the application was screened eligible (a screening well within its 30
days) or after the grant was made: a notice, a confirmed finding of each category, a democracy
declaration that expired or was replaced by a new text. In each, the approval, the release by hand
and by the scheduler's job, and marking paid are refused, and nothing changes. The situation
"nothing happened" is the control: there every step goes through, so each refusal comes from its
situation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from grants import payments, services
from grants.models import Decision, Tranche
from monitoring import scheduler
from portal.errors import DomainError
from portal.models import Role


@pytest.fixture(autouse=True)
def english_messages(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        yield


@dataclass(frozen=True)
class Situation:
    name: str
    arrange: object  # (world, factory, organisation) -> None
    refused_because: str | None  # MoneyStopped.condition, or None: money may move
    later_days: int = 0  # the step is taken this many days after the screening (the declaration expires in 5)


def _finding(category):
    def arrange(world, factory, organisation):
        factory.finding(organisation, category=category, confirm=True)
    return arrange


SITUATIONS = [
    Situation("nothing happened", lambda w, f, o: None, None, later_days=3),
    Situation("under notice", lambda w, f, o: f.force_status(o, "under_notice"), "under_notice"),
    # A confirmed finding of violence or incitement opens a withdrawal case: the notice stops money first.
    Situation("confirmed finding of violence", _finding("violence"), "under_notice"),
    Situation("confirmed finding of incitement", _finding("incitement"), "under_notice"),
    Situation("confirmed finding of discrimination", _finding("discrimination"), "confirmed_finding"),
    Situation("confirmed finding of anti-democratic work", _finding("anti_democratic"), "confirmed_finding"),
    Situation("confirmed finding of association", _finding("association"), "confirmed_finding"),
    Situation("declaration expired", lambda w, f, o: None, "no_valid_declaration", later_days=6),
    Situation("new declaration text not yet signed", lambda w, f, o: f.new_declaration_version(),
              "no_valid_declaration"),
]
IDS = [s.name for s in SITUATIONS]


@pytest.fixture
def money(world, factory, session, now):
    """An organisation whose declaration expires in five days, with a submitted application screened
    eligible now and a grant (made now) with one released and one scheduled tranche due today."""
    committee = factory.committee()
    officer = factory.user(role=Role.OFFICER, committee=committee)
    decider = factory.user(role=Role.DECISION_MAKER, committee=committee)
    applicant = factory.user(role=Role.APPLICANT)
    organisation = world.organisation(representative=applicant, expires_in_days=5)
    world.rule_set()
    programme = world.programme(committee, budget=1_000_000_00)
    grant = factory.grant(committee=committee, organisation=organisation, officer=officer, decider=decider,
                          programme=programme,
                          tranches=[factory.tranche_input(now.date(), 20_000_00),
                                    factory.tranche_input(now.date(), 20_000_00)])
    released, scheduled = sorted(grant.tranches, key=lambda t: t.id)
    factory.release(released, by=officer)
    application = world.filled_application(programme, organisation, applicant)
    services.submit_application(session, application, by=applicant, now=now)
    world.complete_plan(application, officer)
    services.run_screening(session, application, by=officer, now=now)
    session.commit()
    return SimpleNamespace(officer=officer, decider=decider, organisation=organisation, grant=grant,
                           released=released, scheduled=scheduled, application=application)


def _arrange(situation, world, factory, session, money):
    situation.arrange(world, factory, money.organisation)
    session.commit()


def _expect(situation, step):
    """Run `step`; refused with the situation's reason, or accepted in the control."""
    if situation.refused_because is None:
        step()
        return
    with pytest.raises(DomainError):
        step()


@pytest.mark.parametrize("situation", SITUATIONS, ids=IDS)
def test_no_approval_in_the_situation_even_with_a_fresh_eligible_screening(situation, money, world, factory,
                                                                             session, now):
    _arrange(situation, world, factory, session, money)
    when = now + timedelta(days=situation.later_days)

    def approve():
        return services.decide(session, money.application, outcome="approve", amount=None, reasons="Bra.",
                               conditions="", tranches=None, expected_version=money.application.version,
                               by=money.decider, now=when)

    if situation.refused_because is None:
        assert approve().outcome == "approve"
        return
    with pytest.raises(DomainError) as refused:
        approve()
    assert getattr(refused.value, "condition", None) == situation.refused_because
    session.rollback()
    assert session.scalar(select(func.count(Decision.id)).where(Decision.application_id == money.application.id)) == 0


@pytest.mark.parametrize("situation", SITUATIONS, ids=IDS)
def test_no_release_by_hand_or_by_the_job_and_no_payment_in_the_situation(situation, money, world, factory,
                                                                           session, now):
    _arrange(situation, world, factory, session, money)
    when = now + timedelta(days=situation.later_days)
    before = {t.id: t.status for t in money.grant.tranches}

    offered = [t.id for t in payments.releasable_tranches(session, when)]
    assert (money.scheduled.id in offered) == (situation.refused_because is None)
    _expect(situation, lambda: payments.release_tranche(session, money.scheduled, by=money.officer, now=when))
    session.rollback()
    _expect(situation, lambda: payments.release_tranche(session, money.scheduled, by=None, now=when))
    session.rollback()
    _expect(situation, lambda: payments.mark_tranche_paid(session, money.released, by=money.officer, now=when))
    session.rollback()
    if situation.refused_because is not None:
        scheduler.run_job(session, "tranche_release", when)
        session.expire_all()
        assert {t.id: t.status for t in money.grant.tranches} == before


@pytest.mark.parametrize("situation", [s for s in SITUATIONS if s.refused_because], ids=[s.name for s in SITUATIONS
                                                                                         if s.refused_because])
def test_the_grant_page_buttons_follow_the_refusal(situation, money, world, factory, session, now, client):
    """The page asks the same refusal functions: no release or payment button while money may not move."""
    from tests.conftest import login

    _arrange(situation, world, factory, session, money)
    if situation.later_days:
        client.application.config["FIXED_NOW"] = now + timedelta(days=situation.later_days)
    login(client, money.officer.email)
    page = client.get(f"/grants/{money.grant.id}").get_data(as_text=True)
    assert f'action="/tranches/{money.scheduled.id}/release"' not in page
    assert f'action="/tranches/{money.released.id}/paid"' not in page
    assert 'id="money-stopped"' in page


def test_the_scheduler_job_releases_the_control_tranche(money, session, now):
    """The job and the clause agree in the control: the due tranche is released by the scheduler."""
    scheduler.run_job(session, "tranche_release", now)
    session.expire_all()
    assert session.get(Tranche, money.scheduled.id).status == "released"
