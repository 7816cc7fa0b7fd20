"""Demo data for follow-up: reports in every state, evaluations due and completed, and a dozen
shared experiences across committees and action areas. Idempotent: each demo grant is looked up by
its programme's title before anything is created. Organisations, programmes, applications, plans,
screenings, decisions, grants and payments go through the services users use, on a clock moved
back to when each step would have happened (oldest grant first); the reports and evaluations are
still written as rows."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn


from grants import payments, services
from grants.demo import screened_eligible
from grants.models import EvaluationPoint, Grant, GrantStatus, Milestone, Programme
from monitoring.experiences import create_from_evaluation
from monitoring.models import (Evaluation, EvaluationStatus, GranteeReport, IndicatorValue, ReportStatus,
                               SpendingLine)
from organisations import services as org_services
from organisations.declarations import declaration_status
from organisations.demo import small_pdf
from organisations.models import Organisation
from portal.admin.services import create_user, grant_role
from portal.auth.services import find_user_by_email
from portal import audit
from portal.demo import DEMO_PASSWORD, committee_by_name
from portal.models import Role, User

RINKEBY = "Rinkeby-Kista stadsdelsnämnd"
EXTRA_OFFICERS = [
    ("handlaggare.sodermalm@demo.stad.example", "Sara Södermalm", "Södermalm stadsdelsnämnd"),
    ("handlaggare.kultur@demo.stad.example", "Kalle Kultur", "Kulturnämnden"),
    ("handlaggare.social@demo.stad.example", "Sune Social", "Socialnämnden"),  # also grants' demo officer
]

# Organisations of the demo: (number without check digit, name, district, consents to be named)
ORGANISATIONS = [
    ("802400001", "Föreningen Unga Röster", "Rinkeby", True),
    ("802400002", "Tensta Läxhjälp", "Tensta", False),
    ("802400003", "Kvinnor i Järva", "Kista", True),
    ("802400004", "Södermalms Idrottsallians", "Södermalm", True),
    ("802400005", "Teater Bron", "Skärholmen", False),
    ("802400006", "Föräldranätverket Farsta", "Farsta", True),
]

# Shared experiences: committee, organisation index, action area, title, method, target group, rating,
# recommendation, what worked, what did not, lessons.
EXPERIENCES = [
    (RINKEBY, 0, "targeted", "Samtalsgrupper för unga i Rinkeby", "Samtalsgrupper", "Unga 15-25", 4, "scale_up",
     "Små grupper med samma ledare hela terminen gav trygghet.", "Kvällstider krockade med läxläsning.",
     "Fasta ledare och förutsägbara tider betyder mer än innehållet."),
    (RINKEBY, 1, "general", "Läxhjälp som mötesplats", "Läxhjälp", "Barn 10-15", 5, "continue",
     "Att bjuda på mat fick föräldrar att stanna kvar.", "Svårt att nå pojkar över 13 år.",
     "En måltid tillsammans öppnar för samtal med föräldrar."),
    (RINKEBY, 2, "general", "Demokratiskola för kvinnor", "Studiecirklar", "Kvinnor", 4, "continue",
     "Studiecirklar på modersmål sänkte trösklarna.", "Barnpassning saknades de första veckorna.",
     "Ordna barnpassning från början när målgruppen är föräldrar."),
    ("Södermalm stadsdelsnämnd", 3, "general", "Idrott som väg in i föreningslivet", "Idrott", "Unga 15-25", 3,
     "change", "Öppna träningar drog många nya deltagare.", "Få gick vidare till styrelsearbete.",
     "Koppla idrotten till tydliga uppdrag i föreningen för att bygga engagemang."),
    ("Södermalm stadsdelsnämnd", 3, "targeted", "Nattvandring med idrottsledare", "Nattvandring", "Unga 13-17", 4,
     "continue", "Kända ledare fick kontakt snabbt.", "Svårt att bemanna under sommaren.",
     "Planera sommarbemanningen redan under våren."),
    ("Kulturnämnden", 4, "general", "Forumteater om hat på nätet", "Forumteater", "Unga 13-17", 5, "scale_up",
     "Publiken fick pröva egna motdrag på scenen.", "Skolorna bokade sent.",
     "Forumteater engagerar mer än föreläsningar; boka skolorna ett halvår i förväg."),
    ("Kulturnämnden", 4, "targeted", "Berättarverkstad i Skärholmen", "Berättarverkstad", "Unga 15-25", 3, "change",
     "Deltagarnas egna berättelser blev en utställning.", "För lite tid för efterarbete.",
     "Avsätt tid för att ta hand om svåra berättelser efter varje träff."),
    ("Farsta stadsdelsnämnd", 5, "targeted", "Föräldragrupper om radikalisering", "Föräldragrupper",
     "Föräldrar", 4, "scale_up", "Föräldrar delade oro de inte vågat ta upp tidigare.",
     "Tolkning behövdes oftare än planerat.", "Budgetera för tolk i varje grupp."),
    ("Farsta stadsdelsnämnd", 5, "individual", "Stöd till anhöriga", "Samtalsstöd", "Anhöriga", 4, "continue",
     "Samtal i hemmet gav förtroende.", "Långa väntetider på remiss till psykolog.",
     "Samverka tidigt med socialtjänsten för att korta väntan."),
    ("Socialnämnden", 2, "individual", "Mentorer för avhoppare", "Mentorskap", "Avhoppare", 5, "scale_up",
     "Långsiktiga mentorsrelationer bar genom svåra perioder.", "Mentorerna behövde mer handledning.",
     "Handledning för mentorerna är lika viktig som själva mentorskapet."),
    ("Arbetsmarknadsnämnden", 1, "targeted", "Sommarjobb med samhällskunskap", "Feriearbete", "Unga 16-19", 3,
     "change", "Jobbet lockade unga som annars inte deltar.", "Samhällsdelen upplevdes som skola.",
     "Bygg in samhällsfrågorna i själva arbetet i stället för som lektioner."),
    ("Utbildningsnämnden", 0, "general", "Elevråd som demokratiskola", "Elevinflytande", "Elever 13-16", 4,
     "continue", "Eleverna fick genomföra ett eget beslut.", "Lärarnas tid räckte inte.",
     "Ett verkligt beslut att fatta gör demokratiarbetet konkret."),
]


def _officer(session: Session, now: datetime, email: str, name: str, committee_name: str) -> User | None:
    committee = committee_by_name(session, committee_name)
    if committee is None:
        return None
    user = find_user_by_email(session, email)
    if user is None:
        user = create_user(session, email=email, name=name, password=DEMO_PASSWORD, by=None, now=now)
    grant_role(session, user, Role.OFFICER, committee.id, by=None, now=now)
    return user


# The districts of ORGANISATIONS' neighbourhoods (portal.districts).
DISTRICT_OF = {"Rinkeby": "Rinkeby-Kista", "Kista": "Rinkeby-Kista", "Tensta": "Spånga-Tensta"}


def _slug(name: str) -> str:
    return name.split()[0].lower().translate(str.maketrans("åäöé", "aaoe"))


def _staff(session: Session, now: datetime, committee, officers: dict) -> tuple[User, User]:
    """The committee's officer (prepares programmes and plans) and decision maker, created if the demo lacks them."""
    officer = officers.get(committee.name) or _officer(
        session, now, f"handlaggare.{_slug(committee.name)}@demo.stad.example", f"Handläggare {committee.name}",
        committee.name)
    officers[committee.name] = officer
    email = f"beslutsfattare.{_slug(committee.name)}@demo.stad.example"
    decider = find_user_by_email(session, email) if committee.name != RINKEBY else find_user_by_email(
        session, "beslutsfattare@demo.stad.example")
    if decider is None:
        decider = create_user(session, email=email, name=f"Beslutsfattare {committee.name}", password=DEMO_PASSWORD,
                              by=None, now=now)
    grant_role(session, decider, Role.DECISION_MAKER, committee.id, by=None, now=now)
    return officer, decider


def _organisation(session: Session, now: datetime, spec, representative: User) -> Organisation:
    """Registered by its representative through the registry's services, with a board and statutes
    (what the eligibility rules read), a thousand days ago."""
    base, name, district, consents = spec
    number = base + luhn.calc_check_digit(base)
    org = session.scalar(select(Organisation).where(Organisation.org_number == number))
    if org is not None:
        return org
    registered = now - timedelta(days=1000)
    district = DISTRICT_OF.get(district, district)
    slug = f"mon{base[-2:]}"
    data = org_services.ProfileData(
        name=name, legal_form="non_profit_association", street_address=f"Uppföljningsvägen {base[-1]}",
        postal_code="16355", city="Stockholm", contact_name=f"Ordförande {name}", email=f"info{base[-2:]}@forening.example",
        members_women=30, members_men=30, districts=[district],
        board=[org_services.BoardRow(f"Ordförande {name}", "Ordförande", True),
               org_services.BoardRow(f"Kassör {name}", "Kassör", True)])
    org = org_services.register_organisation(session, by=representative, org_number=number, data=data,
                                             allowed_districts=[district], now=registered, base_url="").organisation
    org.consents_to_name_in_experiences = consents
    org_services.upload_document(
        session, org, by=representative, kind="statutes", stream=io.BytesIO(small_pdf(f"Stadgar – {name}")),
        original_name=f"stadgar-{slug}.pdf", year=None, now=registered,
        upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    session.flush()
    return org


def _signed(session: Session, organisation: Organisation, by: User, at: datetime, until: datetime) -> None:
    """The chair signs the democracy declaration again at `at` unless it is valid from `at` to
    `until` (the application, its decision and its payment)."""
    if not (declaration_status(session, organisation.id, at).valid
            and declaration_status(session, organisation.id, until).valid):
        chair = organisation.board_members[0]
        org_services.sign_declaration(session, organisation, by=by, board_member_id=chair.id, confirmed=True,
                                      now=at, valid_months=current_app.config["DECLARATION_VALID_MONTHS"])


def _grant(session: Session, now: datetime, *, committee, organisation, officer: User, decider: User,
           creator: User, title: str, method: str, target_group: str, action_area: str, district: str, start: date,
           end: date, milestones, evaluation_points, status: GrantStatus = GrantStatus.ACTIVE) -> Grant:
    """A grant made the way users make one, on a clock moved back: the officer publishes a programme
    150 days before the grant period, the organisation applies 120 days before, the officer plans
    the follow-up and screens, the decision maker decides 30 days before (grants.services.decide),
    and the first day of the period the tranche is released and paid (grants.payments)."""
    def at(day_: date) -> datetime:
        return datetime.combine(day_, time(10))

    opened, applied, decided = at(start - timedelta(days=150)), at(start - timedelta(days=120)), at(
        start - timedelta(days=30))
    programme = services.create_programme(
        session, committee_id=committee.id, by=officer, now=opened,
        values={"title": f"Demo: {title}", "description": "Bidrag till civilsamhällets arbete för demokrati.",
                "action_area": action_area, "target_groups": [target_group],
                "districts": [DISTRICT_OF.get(district, district)], "budget": 2_000_000_00,
                "max_per_grant": 500_000_00, "opens_on": start - timedelta(days=150),
                "closes_on": start - timedelta(days=90), "reporting_rhythm": "interim_final"},
        criteria=[services.CriterionInput("Relevans för målgruppen", 1)])
    services.publish_programme(session, programme, by=officer, now=opened)
    _signed(session, organisation, creator, applied, at(start) + timedelta(hours=2))
    application = services.start_application(session, programme=programme, organisation=organisation, by=creator,
                                             now=applied)
    steps = {1: {"title": title},
             2: {"aims": "Stärka demokratin och förebygga våldsbejakande extremism.",
                 "activities": "Regelbundna träffar under bidragsperioden.", "method": method,
                 "target_group": target_group},
             3: {"women": {"18-25": 20}, "men": {"18-25": 20}},
             4: {"period_start": start, "period_end": end, "requested_amount": 250_000_00,
                 "budget_lines": [services.BudgetLineInput("Lokalhyra", 60_000_00),
                                  services.BudgetLineInput("Arvoden", 140_000_00),
                                  services.BudgetLineInput("Material", 50_000_00)]},
             5: {"partners": ""}}
    for step, values in steps.items():
        services.save_step(session, application, step, values, by=creator, now=applied)
    services.submit_application(session, application, by=creator, now=applied)
    services.save_plan(session, application, responsible_officer_id=officer.id, indicators=[
        services.IndicatorInput("Nå målgruppen", "Deltagare", "personer", Decimal(0), Decimal(40), True),
        services.IndicatorInput("Regelbunden verksamhet", "Träffar", "st", Decimal(0), Decimal(24), False)],
        milestones=[services.MilestoneInput(kind, due) for kind, due in milestones],
        evaluation_dates=list(evaluation_points), by=officer, now=applied)
    screened_eligible(session, application, officer=officer, now=decided)
    services.decide(session, application, outcome="approve", amount=None,
                    reasons="Ansökan uppfyller utlysningens kriterier.", conditions="", tranches=None,
                    expected_version=application.version, by=decider, now=decided)
    grant = session.scalar(select(Grant).where(Grant.application_id == application.id))
    for tranche in grant.tranches:
        payments.release_tranche(session, tranche, by=officer, now=at(tranche.due_on))
        payments.mark_tranche_paid(session, tranche, by=officer, now=at(tranche.due_on) + timedelta(hours=2))
    session.flush()
    if status == GrantStatus.COMPLETED:
        _complete_grant(session, grant, by=officer, now=now)
    return grant


def _complete_grant(session: Session, grant: Grant, *, by: User, now: datetime) -> None:
    """The grant period is over and its reports are approved: completed, with the event
    monitoring.reports writes when the last report is approved."""
    grant.status = GrantStatus.COMPLETED.value
    grant.ended_at = now
    audit.record(session, actor=by, action="grant.completed", obj=grant,
                 changes={"status": [GrantStatus.ACTIVE.value, GrantStatus.COMPLETED.value]},
                 reason="every report approved after the grant period", now=now)


def _report(session: Session, grant: Grant, milestone: Milestone, status: ReportStatus, *, by: User,
            reviewer: User | None, at: datetime, scale: int = 1, comment: str = "") -> GranteeReport:
    women, men, other = 9 * scale, 8 * scale, 1 * scale
    report = GranteeReport(
        grant_id=grant.id, milestone_id=milestone.id, status=status.value, created_at=at,
        activities="Veckovisa träffar i föreningens lokal, två helgläger och en avslutande utställning.",
        participants={"women": {"0-17": women // 2, "18-25": women - women // 2},
                      "men": {"0-17": men // 2, "18-25": men - men // 2}, "other": {"18-25": other}},
        participants_women=women, participants_men=men, participants_other=other,
        spent_total=0, officer_comment=comment)
    plan = milestone.plan
    deltagare, traffar = plan.indicators
    report.indicator_values = [
        IndicatorValue(indicator_id=deltagare.id, value=Decimal(women + men + other), value_women=Decimal(women),
                       value_men=Decimal(men), value_other=Decimal(other)),
        IndicatorValue(indicator_id=traffar.id, value=Decimal(10 * scale)),
    ]
    lines = grant.application.budget_lines
    report.spending = [SpendingLine(budget_line_id=line.id, category=line.category, amount=line.amount // 2 * scale)
                       for line in lines]
    report.spent_total = sum(s.amount for s in report.spending)
    if status != ReportStatus.DRAFT:
        report.submitted_at, report.submitted_by_id = at, by.id
    if status in (ReportStatus.APPROVED, ReportStatus.RETURNED):
        report.reviewed_at, report.reviewed_by_id = at + timedelta(days=5), reviewer.id if reviewer else None
    if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        milestone.report_handed_in_at = at  # as monitoring.reports does on submission
    if status == ReportStatus.APPROVED:
        milestone.report_approved_at = at + timedelta(days=5)
    session.add(report)
    session.flush()
    return report


def _complete(session: Session, grant: Grant, point: EvaluationPoint, *, officer: User | None, at: datetime,
              rating: int, recommendation: str, worked: str, did_not: str, lessons: str) -> Evaluation:
    from monitoring.evaluations import compute_attainment

    attainment, share = compute_attainment(session, grant)
    evaluation = Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                            status=EvaluationStatus.COMPLETED.value, due_on=point.due_on, rating=rating,
                            attainment=attainment, attainment_share=share, what_worked=worked, what_did_not=did_not,
                            lessons=lessons, recommendation=recommendation, share=True, completed_at=at,
                            completed_by_id=officer.id if officer else None, created_at=at)
    session.add(evaluation)
    session.flush()
    create_from_evaluation(session, evaluation, by=officer, now=at)
    return evaluation


def seed_monitoring(session: Session, now: datetime) -> None:
    rinkeby = committee_by_name(session, RINKEBY)
    officer = find_user_by_email(session, "handlaggare@demo.stad.example")
    decider = find_user_by_email(session, "beslutsfattare@demo.stad.example")
    applicant = find_user_by_email(session, "sokande@demo.stad.example")
    if rinkeby is None or officer is None or decider is None or applicant is None:
        return  # the portal seeder has not run
    officers = {RINKEBY: officer}
    for email, name, committee_name in EXTRA_OFFICERS:
        extra = _officer(session, now, email, name, committee_name)
        if extra is not None:
            officers[committee_name] = extra
    orgs = []
    for index, spec in enumerate(ORGANISATIONS):  # the demo applicant reports for the first two
        email = f"uppfoljning{index + 1}@demo.stad.example"
        representative = applicant if index < 2 else (find_user_by_email(session, email) or create_user(
            session, email=email, name=f"Kontakt {spec[1]}", password=DEMO_PASSWORD, by=None, now=now,
            roles=[(Role.APPLICANT, None)]))
        orgs.append((_organisation(session, now, spec, representative), representative))

    today = now.date()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    def at(offset: int) -> datetime:
        return datetime.combine(day(offset), datetime.min.time()) + timedelta(hours=10)

    def once(title: str) -> bool:
        return session.scalar(select(Programme.id).where(Programme.title == f"Demo: {title}")) is None

    jobs = []  # (the grant period's start, the job): run oldest first, so each fact is in place when it is read

    def grant_of(title: str, org_index: int, committee, **values) -> Grant:
        officer_, decider_ = _staff(session, now, committee, officers)
        organisation, representative = orgs[org_index]
        return _grant(session, now, committee=committee, organisation=organisation, officer=officer_,
                      decider=decider_, creator=representative, title=title, **values)

    common = dict(action_area="targeted", district="Rinkeby")
    # 1. Running grant: interim report approved, final report being drafted.
    if once("Fotboll och samtal"):
        def running():
            grant = grant_of("Fotboll och samtal", 0, rinkeby, method="Idrott", target_group="Unga 15-25",
                             start=day(-240), end=day(40), milestones=[("interim", day(-90)), ("final", day(70))],
                             evaluation_points=[day(100)], **common)
            plan = grant.application.plan
            _report(session, grant, plan.milestones[0], ReportStatus.APPROVED, by=applicant, reviewer=officer,
                    at=at(-92))
            _report(session, grant, plan.milestones[1], ReportStatus.DRAFT, by=applicant, reviewer=None, at=at(-3))
        jobs.append((day(-240), running))
    # 2. A report submitted and waiting for the officer; 3. one returned for completion; 4. one overdue.
    if once("Läxhjälp i Tensta"):
        def submitted():
            grant = grant_of("Läxhjälp i Tensta", 1, rinkeby, method="Läxhjälp", target_group="Barn 10-15",
                             start=day(-200), end=day(160), milestones=[("interim", day(-5)), ("final", day(190))],
                             evaluation_points=[day(220)], **common)
            _report(session, grant, grant.application.plan.milestones[0], ReportStatus.SUBMITTED, by=applicant,
                    reviewer=None, at=at(-6))
        jobs.append((day(-200), submitted))
    if once("Ungdomsråd i Kista"):
        def returned():
            grant = grant_of("Ungdomsråd i Kista", 0, rinkeby, method="Elevinflytande", target_group="Unga 13-17",
                             start=day(-150), end=day(210), milestones=[("interim", day(-20)), ("final", day(240))],
                             evaluation_points=[day(260)], **common)
            _report(session, grant, grant.application.plan.milestones[0], ReportStatus.RETURNED, by=applicant,
                    reviewer=officer, at=at(-21),
                    comment="Ange hur många träffar som genomfördes och bifoga kvitton för lokalhyran.")
        jobs.append((day(-150), returned))
    if once("Föräldrakaféet"):
        jobs.append((day(-300), lambda: grant_of(
            "Föräldrakaféet", 1, rinkeby, method="Föräldragrupper", target_group="Föräldrar", start=day(-300),
            end=day(60), milestones=[("interim", day(-30)), ("final", day(90))], evaluation_points=[day(120)],
            **common)))
    # 5. Grant period over, reports approved, evaluation due for the officer.
    if once("Trygga mötesplatser"):
        def evaluation_due():
            representative = orgs[2][1]
            grant = grant_of("Trygga mötesplatser", 2, rinkeby, method="Mötesplats", target_group="Kvinnor",
                             start=day(-420), end=day(-60), milestones=[("interim", day(-240)), ("final", day(-30))],
                             evaluation_points=[day(-10)], status=GrantStatus.COMPLETED, **common)
            plan = grant.application.plan
            _report(session, grant, plan.milestones[0], ReportStatus.APPROVED, by=representative, reviewer=officer,
                    at=at(-241))
            _report(session, grant, plan.milestones[1], ReportStatus.APPROVED, by=representative, reviewer=officer,
                    at=at(-31), scale=2)
            point = plan.evaluation_points[0]
            session.add(Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                                   status=EvaluationStatus.DUE.value, due_on=point.due_on, created_at=at(-10),
                                   attainment=[], share=False))
        jobs.append((day(-420), evaluation_due))
    # 6.-17. Completed, evaluated and shared grants across committees and action areas.
    for index, (committee_name, org_index, area, title, method, group, rating, recommendation, worked, did_not,
                lessons) in enumerate(EXPERIENCES, start=1):
        committee = committee_by_name(session, committee_name)
        if committee is None or not once(title):
            continue
        start = day(-500 - 20 * index)

        def shared(committee=committee, org_index=org_index, area=area, title=title, method=method, group=group,
                   rating=rating, recommendation=recommendation, worked=worked, did_not=did_not, lessons=lessons,
                   start=start):
            grant = grant_of(title, org_index, committee, method=method, target_group=group, action_area=area,
                             district=ORGANISATIONS[org_index][2], start=start, end=start + timedelta(days=365),
                             milestones=[("interim", start + timedelta(days=180)),
                                         ("final", start + timedelta(days=395))],
                             evaluation_points=[start + timedelta(days=420)], status=GrantStatus.COMPLETED)
            evaluator = officers[committee.name]
            plan = grant.application.plan
            for milestone, scale in zip(plan.milestones, (1, 2)):
                _report(session, grant, milestone, ReportStatus.APPROVED, by=orgs[org_index][1], reviewer=evaluator,
                        at=datetime.combine(milestone.due_on, datetime.min.time()), scale=scale)
            point = plan.evaluation_points[0]
            _complete(session, grant, point, officer=evaluator,
                      at=datetime.combine(point.due_on, datetime.min.time()) + timedelta(hours=10), rating=rating,
                      recommendation=recommendation, worked=worked, did_not=did_not, lessons=lessons)
        jobs.append((start, shared))
    for _start, job in sorted(jobs, key=lambda item: item[0]):
        job()
