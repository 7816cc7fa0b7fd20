"""Every refusal of decide() (grants.services.decisions), so none can be removed silently.

Each case starts from a submitted application that could be approved (an eligible screening and a
complete follow-up plan), breaks one rule, and checks that the decision is refused with that rule's
message and that nothing was written: no decision, grant, tranche, audit event or mail, and the
application is still in review. Without the check, the decision goes through or fails later with
another message, so each case fails."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from eligibility import services as eligibility_services
from eligibility.money_gate import MoneyStopped
from grants import services
from grants.models import Decision, Grant, Tranche
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import AuditEvent, OutboxMessage, Role

STALE = "Someone else decided or changed this application first. Reload the page and check."
PLAN_INCOMPLETE = "The follow-up plan is not complete: "
NO_SCREENING = "Approval needs an eligible screening within its validity. Run the screening again."
BARRED = "The organisation is barred from all support: no support is decided and nothing is paid."
STANDING_FINDING = ("A coordinator has confirmed a finding that the organisation, or someone acting for it, breaks the "
                    "democracy conditions: no support is decided and nothing is paid while the finding stands.")
NO_DECLARATION = ("The organisation has no valid democracy declaration today: no support is decided and nothing is "
                  "paid until an authorised signatory signs it again.")
UNDER_NOTICE = ("The organisation has been given notice that all support may be withdrawn: no support is decided and "
                "nothing is paid until the case is decided.")
# Every published rule set includes the democracy rules (eligibility.rules, mandatory).
DEMOCRACY_RULES = [{"id": "declaration_valid"}, {"id": "no_confirmed_finding"}, {"id": "not_barred"}]


@pytest.fixture(autouse=True)
def english_messages(app):
    """The messages are compared in English (as in test_services.py)."""
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        yield


@dataclass
class Case:
    """What a refusal case sees: the scenario (tests/grants/conftest.py) and the tools to change it."""

    s: object
    world: object
    factory: object
    session: object
    now: object
    failing_rule: str = ""  # the id of a rule that always fails (conftest's failing_rule)


def _save_plan(case: Case, **changes) -> None:
    """The complete plan of GrantsWorld.complete_plan, with `changes` to its parts, saved by the officer."""
    parts = dict(responsible_officer_id=case.s.officer.id,
                 indicators=[services.IndicatorInput("Färre unga rekryteras", "Deltagare som fullföljer", "personer",
                                                     Decimal("0"), Decimal("20"), True)],
                 milestones=[services.MilestoneInput("interim", date(2026, 8, 31)),
                             services.MilestoneInput("final", date(2027, 1, 31))],
                 evaluation_dates=[date(2027, 3, 1)])
    services.save_plan(case.session, case.s.application, by=case.s.officer, now=case.now, **{**parts, **changes})


def _other_decision_maker(case: Case) -> dict:
    return {"by": case.factory.user(role=Role.DECISION_MAKER)}


def _decided_already(case: Case) -> dict:
    _decide(case, outcome="reject")
    case.session.commit()
    return {}


def _returned_for_completion(case: Case) -> dict:
    services.return_for_completion(case.session, case.s.application, message="Komplettera budgeten.",
                                   by=case.s.officer, now=case.now)
    return {}


def _barred(case: Case) -> dict:
    case.s.organisation.status = "barred"
    return {}


def _under_notice_and_screened_again(case: Case) -> dict:
    """A confirmed finding of incitement puts the organisation under notice; the screening run after
    that asks for an assessment (rule not_barred), so the latest screening is not eligible."""
    coordinator = case.factory.user(role=Role.COORDINATOR)
    finding = eligibility_services.report_finding(
        case.session, organisation=case.s.organisation, conduct_on=case.now.date(), category="incitement",
        actor_kind="organisation", actor_name="", source_category="media", evidence="Tal.", by=case.s.officer,
        reporting_committee_id=case.s.committee.id, now=case.now)
    eligibility_services.assess_finding(case.session, finding, confirm=True, reason="Uppmanar till våld.",
                                        by=coordinator, now=case.now)
    eligibility_services.publish_rule_set(case.session, name="Indragning", rules=DEMOCRACY_RULES,
                                          validity_days=30, by=coordinator, now=case.now)
    assert case.s.organisation.status == "under_notice"
    services.run_screening(case.session, case.s.application, by=case.s.officer, now=case.now)
    return {}


def _discrimination_confirmed_after_screening(case: Case) -> dict:
    """A confirmed finding of discrimination opens no withdrawal case (the organisation stays active)
    and the eligible screening is still within its validity: the money gate alone refuses."""
    coordinator = case.factory.user(role=Role.COORDINATOR)
    finding = eligibility_services.report_finding(
        case.session, organisation=case.s.organisation, conduct_on=case.now.date(), category="discrimination",
        actor_kind="organisation", actor_name="", source_category="media", evidence="Utestänger.", by=case.s.officer,
        reporting_committee_id=case.s.committee.id, now=case.now)
    eligibility_services.assess_finding(case.session, finding, confirm=True, reason="Diskriminerar.",
                                        by=coordinator, now=case.now)
    assert case.s.organisation.status == "active"
    return {}


def _declaration_expires_before_the_decision(case: Case) -> dict:
    """Eligible when screened; the declaration runs out the day after, the decision comes two days later."""
    from organisations.models import DeclarationSignature

    signature = case.session.scalars(select(DeclarationSignature).where(
        DeclarationSignature.organisation_id == case.s.organisation.id)).one()
    signature.expires_at = case.now + timedelta(days=1)
    return {}


def _screened_ineligible(case: Case) -> dict:
    eligibility_services.publish_rule_set(case.session, name="Strängare", rules=[*DEMOCRACY_RULES, {"id": case.failing_rule}],
                                          validity_days=30, by=case.s.officer, now=case.now)
    services.run_screening(case.session, case.s.application, by=case.s.officer, now=case.now)
    return {}


def _max_per_grant_lowered(case: Case) -> dict:
    case.s.programme.max_per_grant = 30_000_00  # the application asks for 40 000 kr
    return {}


def _milestone(case: Case):
    return case.s.application.plan.milestones[0]


@dataclass(frozen=True)
class Refusal:
    name: str
    error: type[DomainError]
    message: str
    on_field: str | None = None  # the form field the message is shown beside
    # Changes the world before the decision; returns the decide() arguments that differ.
    arrange: Callable[[Case], dict] = lambda case: {}
    # decide() arguments that differ from a full approval (callables are given the case).
    decide: dict = field(default_factory=dict)
    # Changes to the complete follow-up plan; None: no plan at all.
    plan: dict | None = field(default_factory=dict)
    later_days: int = 0  # the decision is made this many days after the screening


REFUSALS = [
    Refusal("an officer is not a decision maker", PermissionDenied,
            "Only decision makers of the committee may decide.", decide={"by": lambda case: case.s.officer}),
    Refusal("a decision maker of another committee", PermissionDenied,
            "Only decision makers of the committee may decide.", arrange=_other_decision_maker),
    Refusal("the form shows an older version", Conflict, STALE,
            decide={"expected_version": lambda case: case.s.application.version - 1}),
    Refusal("the application is already decided", Conflict, STALE, arrange=_decided_already),
    Refusal("the application is returned for completion", DomainError,
            "Only a submitted application can be decided.", arrange=_returned_for_completion),
    Refusal("no such outcome", DomainError, "Choose a decision.", "outcome", decide={"outcome": "postpone"}),
    Refusal("no reasons", DomainError, "Give the reasons for the decision.", "reasons", decide={"reasons": "  "}),
    Refusal("a partial approval without an amount", DomainError, "Enter the amount granted.", "amount",
            decide={"outcome": "partly_approve", "amount": None}),
    Refusal("a partial approval of nothing", DomainError, "Enter the amount granted.", "amount",
            decide={"outcome": "partly_approve", "amount": 0}),
    Refusal("the organisation is barred", MoneyStopped, BARRED, arrange=_barred),
    Refusal("the organisation is under notice and screened again", MoneyStopped, UNDER_NOTICE,
            arrange=_under_notice_and_screened_again),
    Refusal("a finding of discrimination is confirmed after the screening", MoneyStopped, STANDING_FINDING,
            arrange=_discrimination_confirmed_after_screening),
    Refusal("the declaration expires between the screening and the decision", MoneyStopped, NO_DECLARATION,
            arrange=_declaration_expires_before_the_decision, later_days=2),
    Refusal("the latest screening is not eligible", DomainError, NO_SCREENING, arrange=_screened_ineligible),
    Refusal("the screening is older than its rule set's validity", DomainError, NO_SCREENING, later_days=31),
    Refusal("there is no follow-up plan", DomainError, PLAN_INCOMPLETE + "There is no follow-up plan.", "plan",
            plan=None),
    Refusal("the plan has no indicator", DomainError, PLAN_INCOMPLETE + "Add at least one objective with an indicator.",
            "plan", plan={"indicators": []}),
    Refusal("an indicator has no unit", DomainError,
            PLAN_INCOMPLETE + "Every indicator needs an objective, a name, a unit, a baseline and a target.", "plan",
            plan={"indicators": [services.IndicatorInput("Färre unga rekryteras", "Deltagare", "", Decimal("0"),
                                                         Decimal("20"), False)]}),
    Refusal("the plan has no final report", DomainError, PLAN_INCOMPLETE + "Add a final report milestone.", "plan",
            plan={"milestones": [services.MilestoneInput("interim", date(2026, 8, 31))]}),
    Refusal("the final report is due too late", DomainError,
            PLAN_INCOMPLETE + "The final report must be due no later than 60 days after the period ends.", "plan",
            plan={"milestones": [services.MilestoneInput("final", date(2027, 3, 2))]}),  # period ends 2026-12-31
    Refusal("the plan has no evaluation point", DomainError, PLAN_INCOMPLETE + "Add at least one evaluation date.",
            "plan", plan={"evaluation_dates": []}),
    Refusal("the plan names no responsible officer", DomainError, PLAN_INCOMPLETE + "Name a responsible officer.",
            "plan", plan={"responsible_officer_id": None}),
    Refusal("the amount is over the programme's maximum per grant", DomainError,
            "The amount is more than the programme's maximum per grant.", "amount", arrange=_max_per_grant_lowered),
    Refusal("the amount is over the amount requested", DomainError, "The amount is more than the applicant requested.",
            "amount", decide={"outcome": "partly_approve", "amount": 45_000_00}),
    Refusal("the tranches do not add up to the amount", DomainError,
            "The tranches must add up exactly to the amount granted.", "tranches",
            decide={"tranches": [services.TrancheInput(date(2026, 4, 1), 30_000_00)]}),
    Refusal("a tranche of less than nothing", DomainError, "Every tranche needs an amount above zero.", "tranches",
            decide={"tranches": [services.TrancheInput(date(2026, 4, 1), 50_000_00),
                                 services.TrancheInput(date(2026, 9, 1), -10_000_00)]}),
    Refusal("a tranche waits for a report that is not in the plan", DomainError,
            "Choose the report the tranche waits for.", "tranches",
            decide={"tranches": [services.TrancheInput(date(2026, 4, 1), 40_000_00, "milestone_approved", None)]}),
    Refusal("a tranche with an unknown condition", DomainError, "Choose the tranche's condition.", "tranches",
            decide={"tranches": [services.TrancheInput(date(2026, 4, 1), 40_000_00, "after_summer")]}),
]


def _decide(case: Case, application=None, **changes) -> Decision:
    """A full approval of the scenario's application (or `application`), with `changes` to the arguments."""
    application = application or case.s.application
    arguments = dict(outcome="approve", amount=None, reasons="Väl underbyggd ansökan.", conditions="",
                     tranches=None, expected_version=application.version, by=case.s.decider, now=case.now)
    arguments.update(changes)
    return services.decide(case.session, application, **arguments)


def _written(session, application) -> dict:
    """What a decision writes, counted (the counting flushes anything decide() left pending)."""
    counts = {model.__name__: session.scalar(select(func.count()).select_from(model))
              for model in (Decision, Grant, Tranche, AuditEvent, OutboxMessage)}
    return {**counts, "application status": application.status}


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
def test_decision_is_refused_with_its_message_and_nothing_is_written(refusal, scenario, world, factory, session, now,
                                                                    failing_rule):
    case = Case(scenario, world, factory, session, now, failing_rule)
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    if refusal.plan is not None:
        _save_plan(case, **refusal.plan)
    changes = refusal.arrange(case)
    session.commit()
    changes.update({k: v(case) if callable(v) else v for k, v in refusal.decide.items()})
    before = _written(session, scenario.application)

    with pytest.raises(refusal.error) as refused:
        _decide(case, now=now + timedelta(days=refusal.later_days), **changes)

    assert type(refused.value) is refusal.error
    assert (refused.value.message, refused.value.field) == (refusal.message, refusal.on_field)
    assert _written(session, scenario.application) == before


def test_every_case_could_be_approved_but_for_its_broken_rule(scenario, world, factory, session, now):
    """The starting point of the cases is an approval, so each refusal comes from the rule its case breaks."""
    case = Case(scenario, world, factory, session, now)
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    _save_plan(case)
    session.commit()
    before = _written(session, scenario.application)

    decision = _decide(case, tranches=[
        services.TrancheInput(date(2026, 4, 1), 30_000_00),
        services.TrancheInput(date(2026, 9, 1), 10_000_00, "milestone_approved", _milestone(case).id)])

    assert decision.outcome == "approve" and decision.amount == 40_000_00
    after = _written(session, scenario.application)
    assert (after["Decision"], after["Grant"], after["Tranche"]) == (1, 1, 2)
    assert after["AuditEvent"] == before["AuditEvent"] + 2  # decision.made, grant.created
    assert after["OutboxMessage"] > before["OutboxMessage"] and after["application status"] == "decided"


def test_a_decision_over_the_remaining_budget_is_refused_and_nothing_is_written(scenario, world, factory, session,
                                                                                now):
    """The budget is read at the decision: 40 000 kr of 60 000 kr are granted, so 40 000 kr more is
    refused with what is left, and exactly what is left can still be granted."""
    case = Case(scenario, world, factory, session, now)
    scenario.programme.budget = 60_000_00
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    _decide(case)
    session.commit()
    applicant = factory.user(role=Role.APPLICANT)
    second = world.filled_application(scenario.programme, world.organisation(representative=applicant), applicant)
    services.submit_application(session, second, by=applicant, now=now)
    world.complete_plan(second, scenario.officer)
    session.commit()
    before = _written(session, second)

    with pytest.raises(DomainError) as refused:
        _decide(case, second)

    assert (refused.value.message, refused.value.field) == (
        "The amount is more than the programme's remaining budget (20\u00a0000,00\u00a0kr).", "amount")
    assert _written(session, second) == before
    decision = _decide(case, second, outcome="partly_approve", amount=20_000_00)
    assert decision.amount == 20_000_00 and services.remaining_budget(session, scenario.programme) == 0
