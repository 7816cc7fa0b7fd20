"""Demo data for follow-up: reports in every state, evaluations due and completed, and a dozen
shared experiences across committees and action areas. Idempotent: each demo grant is looked up by
its application reference before anything is created. The grants are made directly with the
grants models, so the seeder works whether or not the grants package seeds data of its own."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn

from grants.models import (Application, ApplicationStatus, BudgetLine, Decision, DecisionOutcome, EvaluationPoint,
                           FollowUpPlan, Grant, GrantStatus, Indicator, Milestone, Programme, ProgrammeStatus)
from monitoring.experiences import create_from_evaluation
from monitoring.models import (Evaluation, EvaluationStatus, GranteeReport, IndicatorValue, ReportStatus,
                               SpendingLine)
from organisations.models import Organisation, OrganisationDistrict, Representative
from portal.admin.services import create_user, grant_role
from portal.auth.services import find_user_by_email
from portal.demo import DEMO_PASSWORD, committee_by_name
from portal.models import Role, User

RINKEBY = "Rinkeby-Kista stadsdelsnämnd"
EXTRA_OFFICERS = [
    ("handlaggare.sodermalm@demo.stad.example", "Sara Södermalm", "Södermalm stadsdelsnämnd"),
    ("handlaggare.kultur@demo.stad.example", "Kalle Kultur", "Kulturnämnden"),
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


def _organisation(session: Session, now: datetime, spec) -> Organisation:
    base, name, district, consents = spec
    number = base + luhn.calc_check_digit(base)
    org = session.scalar(select(Organisation).where(Organisation.org_number == number))
    if org is None:
        org = Organisation(org_number=number, name=name, legal_form="non_profit_association", city="Stockholm",
                           email=f"info{base[-2:]}@forening.example", consents_to_name_in_experiences=consents,
                           created_at=now, updated_at=now)
        org.districts = [OrganisationDistrict(district=district)]
        session.add(org)
        session.flush()
    return org


def _grant(session: Session, now: datetime, *, reference: str, committee, organisation, officer: User | None,
           decider: User, creator: User, title: str, method: str, target_group: str, action_area: str,
           district: str, start: date, end: date, milestones, evaluation_points,
           status: GrantStatus = GrantStatus.ACTIVE) -> Grant:
    programme = Programme(committee_id=committee.id, title=f"Demo: {title}", action_area=action_area,
                          target_groups=[target_group], districts=[district], budget=200_000_000,
                          max_per_grant=50_000_000, opens_on=start - timedelta(days=150),
                          closes_on=start - timedelta(days=90), status=ProgrammeStatus.CLOSED.value, created_at=now)
    session.add(programme)
    session.flush()
    application = Application(
        reference=reference, organisation_id=organisation.id, programme_id=programme.id, created_by_id=creator.id,
        title=title, aims="Stärka demokratin och förebygga våldsbejakande extremism.",
        activities="Regelbundna träffar under bidragsperioden.", method=method, target_group=target_group,
        period_start=start, period_end=end, requested_amount=25_000_000, status=ApplicationStatus.DECIDED.value,
        created_at=now, updated_at=now, submitted_at=now)
    application.budget_lines = [BudgetLine(category="Lokalhyra", amount=6_000_000),
                                BudgetLine(category="Arvoden", amount=14_000_000),
                                BudgetLine(category="Material", amount=5_000_000)]
    session.add(application)
    session.flush()
    decision = Decision(application_id=application.id, outcome=DecisionOutcome.APPROVE.value, amount=25_000_000,
                        reasons="Ansökan uppfyller utlysningens kriterier.", decided_by_id=decider.id,
                        decided_at=datetime.combine(start - timedelta(days=30), datetime.min.time()))
    session.add(decision)
    plan = FollowUpPlan(application_id=application.id, responsible_officer_id=officer.id if officer else None,
                        created_at=now, updated_at=now)
    plan.indicators = [
        Indicator(objective="Nå målgruppen", name="Deltagare", unit="personer", baseline=Decimal(0),
                  target=Decimal(40), by_gender=True),
        Indicator(objective="Regelbunden verksamhet", name="Träffar", unit="st", baseline=Decimal(0),
                  target=Decimal(24), by_gender=False),
    ]
    plan.milestones = [Milestone(kind=kind, due_on=due) for kind, due in milestones]
    plan.evaluation_points = [EvaluationPoint(due_on=due, description="Utvärdering") for due in evaluation_points]
    session.add(plan)
    session.flush()
    grant = Grant(application_id=application.id, decision_id=decision.id, organisation_id=organisation.id,
                  committee_id=committee.id, programme_id=programme.id, amount=25_000_000, period_start=start,
                  period_end=end, status=status.value, created_at=decision.decided_at,
                  ended_at=now if status == GrantStatus.COMPLETED else None)
    session.add(grant)
    session.flush()
    return grant


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
    orgs = [_organisation(session, now, spec) for spec in ORGANISATIONS]
    for org in orgs[:2]:  # the demo applicant reports for two organisations
        exists = session.scalar(select(Representative).where(Representative.organisation_id == org.id,
                                                             Representative.user_id == applicant.id))
        if exists is None:
            session.add(Representative(organisation_id=org.id, user_id=applicant.id, added_at=now))
    session.flush()

    today = now.date()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    def at(offset: int) -> datetime:
        return datetime.combine(day(offset), datetime.min.time()) + timedelta(hours=10)

    def once(reference: str) -> bool:
        return session.scalar(select(Application.id).where(Application.reference == reference)) is None

    common = dict(committee=rinkeby, officer=officer, decider=decider, creator=applicant, action_area="targeted",
                  district="Rinkeby")
    # 1. Running grant: interim report approved, final report being drafted.
    if once("DEMO-MON-01"):
        grant = _grant(session, now, reference="DEMO-MON-01", organisation=orgs[0], title="Fotboll och samtal",
                       method="Idrott", target_group="Unga 15-25", start=day(-240), end=day(40),
                       milestones=[("interim", day(-90)), ("final", day(70))], evaluation_points=[day(100)], **common)
        plan = session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))
        _report(session, grant, plan.milestones[0], ReportStatus.APPROVED, by=applicant, reviewer=officer, at=at(-92))
        _report(session, grant, plan.milestones[1], ReportStatus.DRAFT, by=applicant, reviewer=None, at=at(-3))
    # 2. A report submitted and waiting for the officer; 3. one returned for completion; 4. one overdue.
    if once("DEMO-MON-02"):
        grant = _grant(session, now, reference="DEMO-MON-02", organisation=orgs[1], title="Läxhjälp i Tensta",
                       method="Läxhjälp", target_group="Barn 10-15", start=day(-200), end=day(160),
                       milestones=[("interim", day(-5)), ("final", day(190))], evaluation_points=[day(220)], **common)
        plan = session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))
        _report(session, grant, plan.milestones[0], ReportStatus.SUBMITTED, by=applicant, reviewer=None, at=at(-6))
    if once("DEMO-MON-03"):
        grant = _grant(session, now, reference="DEMO-MON-03", organisation=orgs[0], title="Ungdomsråd i Kista",
                       method="Elevinflytande", target_group="Unga 13-17", start=day(-150), end=day(210),
                       milestones=[("interim", day(-20)), ("final", day(240))], evaluation_points=[day(260)], **common)
        plan = session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))
        _report(session, grant, plan.milestones[0], ReportStatus.RETURNED, by=applicant, reviewer=officer,
                at=at(-21), comment="Ange hur många träffar som genomfördes och bifoga kvitton för lokalhyran.")
    if once("DEMO-MON-04"):
        _grant(session, now, reference="DEMO-MON-04", organisation=orgs[1], title="Föräldrakaféet",
               method="Föräldragrupper", target_group="Föräldrar", start=day(-300), end=day(60),
               milestones=[("interim", day(-30)), ("final", day(90))], evaluation_points=[day(120)], **common)
    # 5. Grant period over, reports approved, evaluation due for the officer.
    if once("DEMO-MON-05"):
        grant = _grant(session, now, reference="DEMO-MON-05", organisation=orgs[2], title="Trygga mötesplatser",
                       method="Mötesplats", target_group="Kvinnor", start=day(-420), end=day(-60),
                       milestones=[("interim", day(-240)), ("final", day(-30))], evaluation_points=[day(-10)],
                       status=GrantStatus.COMPLETED, **common)
        plan = session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))
        _report(session, grant, plan.milestones[0], ReportStatus.APPROVED, by=applicant, reviewer=officer, at=at(-241))
        _report(session, grant, plan.milestones[1], ReportStatus.APPROVED, by=applicant, reviewer=officer, at=at(-31),
                scale=2)
        point = plan.evaluation_points[0]
        session.add(Evaluation(grant_id=grant.id, evaluation_point_id=point.id, committee_id=grant.committee_id,
                               status=EvaluationStatus.DUE.value, due_on=point.due_on, created_at=at(-10),
                               attainment=[], share=False))
    # 6.-17. Completed, evaluated and shared grants across committees and action areas.
    for index, (committee_name, org_index, area, title, method, group, rating, recommendation, worked, did_not,
                lessons) in enumerate(EXPERIENCES, start=1):
        reference = f"DEMO-MON-X{index:02d}"
        committee = committee_by_name(session, committee_name)
        if committee is None or not once(reference):
            continue
        evaluator = officers.get(committee_name)
        district = ORGANISATIONS[org_index][2]
        start = day(-500 - 20 * index)
        grant = _grant(session, now, reference=reference, committee=committee, organisation=orgs[org_index],
                       officer=evaluator, decider=decider, creator=applicant, title=title, method=method,
                       target_group=group, action_area=area, district=district, start=start,
                       end=start + timedelta(days=365),
                       milestones=[("interim", start + timedelta(days=180)), ("final", start + timedelta(days=395))],
                       evaluation_points=[start + timedelta(days=420)], status=GrantStatus.COMPLETED)
        plan = session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))
        for milestone, scale in zip(plan.milestones, (1, 2)):
            _report(session, grant, milestone, ReportStatus.APPROVED, by=applicant, reviewer=evaluator,
                    at=datetime.combine(milestone.due_on, datetime.min.time()), scale=scale)
        point = plan.evaluation_points[0]
        _complete(session, grant, point, officer=evaluator,
                  at=datetime.combine(point.due_on, datetime.min.time()) + timedelta(hours=10), rating=rating,
                  recommendation=recommendation, worked=worked, did_not=did_not, lessons=lessons)
