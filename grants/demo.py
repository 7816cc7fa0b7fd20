"""Demo data for grants: programmes in several committees and all three action areas,
applications in every state, approved grants with plans and tranches.

Idempotent (looks programmes up by title) and tolerant of missing lower-layer demo data: it
creates the organisations, declaration text, signatures and rule set it needs if absent."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants import services
from grants.models import ApplicationStatus, Programme
from organisations.declarations import current_text, declaration_status
from organisations.models import DeclarationSignature, DeclarationText, Organisation, Representative
from portal import audit
from portal.admin.services import create_user, grant_role
from portal.auth.services import find_user_by_email
from portal.demo import DEMO_PASSWORD, committee_by_name
from portal.errors import DomainError
from portal.models import Role, User

HOME = "Rinkeby-Kista stadsdelsnämnd"
OTHER_COMMITTEES = [("Spånga-Tensta stadsdelsnämnd", "handlaggare.tensta@demo.stad.example", "Tove Tensta"),
                    ("Socialnämnden", "handlaggare.social@demo.stad.example", "Sune Social")]
DEMO_ORGS = [("8020001239", "Förening Gemenskap i Rinkeby"), ("8020002237", "Tensta Ungdomsforum")]


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _luhn(prefix9: str) -> str:
    for last in "0123456789":
        if _luhn_ok(prefix9 + last):
            return prefix9 + last
    raise AssertionError


def _user(session: Session, email: str, name: str, role: Role, committee_id: int | None, now: datetime) -> User:
    user = find_user_by_email(session, email)
    if user is None:
        user = create_user(session, email=email, name=name, password=DEMO_PASSWORD, by=None, now=now)
    grant_role(session, user, role, committee_id, by=None, now=now)
    return user


def _organisations(session: Session, applicant: User, now: datetime) -> list[Organisation]:
    orgs = list(session.scalars(select(Organisation).join(Representative).where(
        Representative.user_id == applicant.id).order_by(Organisation.id)))
    if len(orgs) < 2:
        for prefix_number, name in DEMO_ORGS:
            number = _luhn(prefix_number[:9])
            org = session.scalar(select(Organisation).where(Organisation.org_number == number))
            if org is None:
                org = Organisation(org_number=number, name=name, legal_form="non_profit_association",
                                   city="Stockholm", email="kontakt@" + name.split()[0].lower() + ".example",
                                   status="active", created_at=now, updated_at=now, members_women=40, members_men=35)
                session.add(org)
                session.flush()
            if org not in orgs:
                if not session.scalar(select(Representative).where(Representative.organisation_id == org.id,
                                                                   Representative.user_id == applicant.id)):
                    session.add(Representative(organisation_id=org.id, user_id=applicant.id, added_at=now))
                orgs.append(org)
        session.flush()
    text = current_text(session)
    if text is None:
        text = DeclarationText(version=1, text_sv="Vi står bakom demokratins idéer, de mänskliga rättigheterna och "
                                                  "jämställdhet mellan kvinnor och män.",
                               text_en="We stand behind democracy, human rights and equality between women and men.",
                               published_at=now)
        session.add(text)
        session.flush()
    for org in orgs[:2]:
        if not declaration_status(session, org.id, now).valid:
            session.add(DeclarationSignature(organisation_id=org.id, text_id=text.id, signed_by_id=applicant.id,
                                             signatory_name=applicant.name, signed_at=now,
                                             expires_at=now + timedelta(days=365)))
    session.flush()
    return orgs[:2]


def _rule_set(session: Session, now: datetime) -> None:
    """The default rule set (with the democracy rules), published through eligibility's service."""
    from eligibility.services import ensure_default_rule_set

    ensure_default_rule_set(session, now)


def screened_eligible(session: Session, application, *, officer: User, now: datetime):
    """The officer screens the application and assesses what the rules leave to a person, as an
    officer does on the screening page (the demo's statutes give an elected board and an annual
    meeting). A rule that fails stops the demo: it makes no decision the services would refuse."""
    from eligibility.services import resolve_result

    screening = services.run_screening(session, application, by=officer, now=now)
    for result in screening.results:
        if result.outcome == "needs_assessment" and result.resolved_outcome is None:
            resolve_result(session, result, outcome="pass", by=officer, now=now,
                           reason="Demo: stadgarna ger en vald styrelse och ett årsmöte; inget hinder hittades.")
    if screening.outcome != "eligible":
        failed = [r.rule_id for r in screening.results if r.effective_outcome == "fail"]
        raise DomainError(f"Demo: {application.title} is not eligible ({screening.outcome}: {failed}).")
    return screening


PROGRAMMES = [
    # (committee, title, area, districts, budget kr, max kr)
    (HOME, "Demokrativeckor i Rinkeby-Kista", "general", ["Rinkeby-Kista"], 800_000, 150_000),
    (HOME, "Förebyggande insatser för unga i Järva", "targeted", ["Rinkeby-Kista", "Spånga-Tensta"], 1_200_000,
     250_000),
    ("Spånga-Tensta stadsdelsnämnd", "Trygga mötesplatser i Tensta", "targeted", ["Spånga-Tensta"], 600_000,
     120_000),
    ("Socialnämnden", "Stöd till avhoppare, drabbade och anhöriga", "individual", [], 2_000_000, 400_000),
]


def seed_grants(session: Session, now: datetime) -> None:
    home = committee_by_name(session, HOME)
    applicant = find_user_by_email(session, "sokande@demo.stad.example")
    officer = find_user_by_email(session, "handlaggare@demo.stad.example")
    decider = find_user_by_email(session, "beslutsfattare@demo.stad.example")
    if None in (home, applicant, officer, decider):
        return  # the portal seeder did not run; nothing to build on
    if session.scalar(select(Programme).where(Programme.title == PROGRAMMES[0][1])) is not None:
        return  # already seeded
    officers = {HOME: officer}
    for committee_name, email, name in OTHER_COMMITTEES:
        committee = committee_by_name(session, committee_name)
        if committee is not None:
            officers[committee_name] = _user(session, email, name, Role.OFFICER, committee.id, now)
    orgs = _organisations(session, applicant, now)
    _rule_set(session, now)
    today = now.date()
    programmes = []
    for committee_name, title, area, districts, budget, maximum in PROGRAMMES:
        committee = committee_by_name(session, committee_name)
        if committee is None or committee_name not in officers:
            continue
        programme = services.create_programme(
            session, committee_id=committee.id, by=officers[committee_name], now=now,
            values={"title": title, "description": "Bidrag till civilsamhällets arbete mot våldsbejakande extremism.",
                    "action_area": area, "target_groups": ["unga", "föräldrar"], "districts": districts,
                    "budget": budget * 100, "max_per_grant": maximum * 100, "opens_on": today - timedelta(days=20),
                    "closes_on": today + timedelta(days=70), "reporting_rhythm": "interim_final"},
            criteria=[services.CriterionInput("Relevans för målgruppen", 3),
                      services.CriterionInput("Genomförbarhet", 2), services.CriterionInput("Jämställdhetsperspektiv", 2)])
        services.publish_programme(session, programme, by=officers[committee_name], now=now)
        programmes.append(programme)
    home_programmes = [p for p in programmes if p.committee_id == home.id]

    def application(programme, org, title, requested_kr):
        app = services.start_application(session, programme=programme, organisation=org, by=applicant, now=now)
        services.save_step(session, app, 1, {"title": title}, by=applicant, now=now)
        services.save_step(session, app, 2, {"aims": "Stärka unga i demokratiskt deltagande.",
                                             "activities": "Samtalsgrupper, studiebesök och mentorskap.",
                                             "method": "Mentorskap", "target_group": "Unga 15–20 år"},
                           by=applicant, now=now)
        services.save_step(session, app, 3, {"women": {"0-17": 15, "18-25": 5}, "men": {"0-17": 14, "18-25": 6},
                                             "other": {"0-17": 1}}, by=applicant, now=now)
        services.save_step(session, app, 4, {
            "period_start": today + timedelta(days=30), "period_end": today + timedelta(days=300),
            "requested_amount": requested_kr * 100,
            "budget_lines": [services.BudgetLineInput("Personal", requested_kr * 80, 0, 0),
                             services.BudgetLineInput("Lokal och material", requested_kr * 30, requested_kr * 5,
                                                      requested_kr * 5)]}, by=applicant, now=now)
        services.save_step(session, app, 5, {"partners": "Fritidsgården och biblioteket"}, by=applicant, now=now)
        return app

    def plan(app):
        end = app.period_end
        services.save_plan(session, app, responsible_officer_id=officer.id, indicators=[
            services.IndicatorInput("Fler unga deltar i föreningslivet", "Deltagare som fullföljer", "personer",
                                    Decimal("0"), Decimal("30"), True)],
            milestones=[services.MilestoneInput("interim", end - timedelta(days=140)),
                        services.MilestoneInput("final", end + timedelta(days=45))],
            evaluation_dates=[end + timedelta(days=90)], by=officer, now=now)

    if not home_programmes:
        return
    first, second = home_programmes[0], home_programmes[-1]
    org_a, org_b = orgs[0], orgs[1]
    application(first, org_a, "Utkast: Samtalscirklar om demokrati", 60_000)  # draft
    submitted = application(first, org_b, "Ungas röster i Kista", 80_000)
    services.submit_application(session, submitted, by=applicant, now=now)
    in_review = application(second, org_a, "Mentorer för unga i Rinkeby", 120_000)
    services.submit_application(session, in_review, by=applicant, now=now)
    services.assign_reviewer(session, in_review, reviewer=officer, by=officer, now=now)
    returned = application(second, org_b, "Föräldranätverk i Järva", 90_000)
    services.submit_application(session, returned, by=applicant, now=now)
    services.return_for_completion(session, returned, message="Komplettera budgeten med kostnad för lokal.",
                                   by=officer, now=now)
    withdrawn = application(first, org_a, "Filmprojekt (återkallat)", 40_000)
    services.submit_application(session, withdrawn, by=applicant, now=now)
    services.withdraw_application(session, withdrawn, by=applicant, now=now)
    ineligible = application(first, org_b, "Debattkvällar (avslutad)", 30_000)
    services.submit_application(session, ineligible, by=applicant, now=now)
    before = ineligible.status
    ineligible.status = ApplicationStatus.CLOSED_INELIGIBLE.value
    ineligible.closed_reason = "Demo: stängd som ej behörig efter prövning."
    # The same event, with the same shape, as a withdrawal writes when it closes an application.
    audit.record(session, actor=None, action="application.closed_ineligible", obj=ineligible,
                 reason=ineligible.closed_reason, changes={"status": [before, ineligible.status]}, now=now)
    session.flush()

    for title, org, outcome, requested, amount in [
        ("Trygghetsvandringar och dialog", org_a, "approve", 100_000, None),
        ("Läxhjälp och samtal", org_b, "partly_approve", 150_000, 100_000),
        ("Konsertserie", org_b, "reject", 50_000, None),
    ]:
        app = application(second, org, title, requested)
        services.submit_application(session, app, by=applicant, now=now)
        review = services.assign_reviewer(session, app, reviewer=officer, by=officer, now=now)
        services.declare_conflict(session, review, has_conflict=False, reason="", by=officer, now=now)
        services.submit_review(session, review, scores={c.id: (4, "") for c in second.criteria},
                               recommendation=outcome, comment="Välgrundad ansökan.", by=officer, now=now)
        plan(app)
        session.flush()
        granted = (amount or requested) * 100
        milestone = app.plan.milestones[0]
        tranches = [services.TrancheInput(app.period_start, granted // 2),
                    services.TrancheInput(milestone.due_on + timedelta(days=14), granted - granted // 2,
                                          "milestone_approved", milestone.id)]
        if outcome != "reject":
            screened_eligible(session, app, officer=officer, now=now)
        services.decide(session, app, outcome=outcome, amount=amount and amount * 100,
                        reasons="Ansökan svarar väl mot utlysningens syfte." if outcome != "reject"
                        else "Verksamheten ligger utanför utlysningens åtgärdsområde.",
                        conditions="Deltagare redovisas per kön." if outcome != "reject" else "",
                        tranches=None if outcome == "reject" else tranches,
                        expected_version=app.version, by=decider, now=now)
