"""Demo data: the default rule set; once grants exist, one organisation under notice and one barred
after a withdrawal, with their history (findings, notice, reply, decision)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from eligibility import services
from eligibility.screening import fact_provider
from eligibility.models import FindingActor, FindingCategory, FindingSource, WithdrawalCase
from organisations.models import Representative, Organisation, OrganisationStatus
from portal.auth.services import find_user_by_email
from portal.models import Role


def seed_eligibility(session, now: datetime) -> None:
    services.ensure_default_rule_set(session, now)


def seed_withdrawal_examples(session, now: datetime) -> None:
    """Call after grants' seeder. The barred example is the active organisation with the most active
    grants (so the withdrawal has something to end), the one under notice the next. Idempotent."""
    if session.scalar(select(WithdrawalCase.id).limit(1)) is not None:
        return
    coordinator = find_user_by_email(session, "samordnare@demo.stad.example")
    officer = find_user_by_email(session, "handlaggare@demo.stad.example")
    if coordinator is None or officer is None:
        return
    # Leave the demo applicant's own organisations alone, so the applicant's journey still works.
    applicant = find_user_by_email(session, "sokande@demo.stad.example")
    own = select(Representative.organisation_id).where(Representative.user_id == (applicant.id if applicant else -1))
    organisations = session.scalars(select(Organisation).where(
        Organisation.status == OrganisationStatus.ACTIVE.value, Organisation.id.not_in(own))
        .order_by(Organisation.id)).all()
    if len(organisations) < 2:
        return
    count = fact_provider("active_grant_count") or (lambda _session, _id: 0)
    organisations.sort(key=lambda o: -count(session, o.id))  # stable: ties keep id order
    barred, under_notice = organisations[:2]
    committee_id = next(iter(sorted(officer.committee_ids(Role.OFFICER))), None)

    # Barred, with history: reported 40 days ago, confirmed 35 days ago, a reply, withdrawn today.
    reported_at = now - timedelta(days=40)
    finding = services.report_finding(
        session, organisation=barred, conduct_on=(now - timedelta(days=60)).date(),
        category=FindingCategory.INCITEMENT.value, actor_kind=FindingActor.BOARD_MEMBER.value,
        actor_name="Styrelseledamot (demo)", source_category=FindingSource.MEDIA.value,
        evidence="Demo: the chair justified attacks on a named group in a public speech (recording on file).",
        by=officer, reporting_committee_id=committee_id, now=reported_at)
    session.flush()
    case = services.assess_finding(session, finding, confirm=True, by=coordinator, now=now - timedelta(days=35),
                                   reason="Demo: the recording and two witness statements show incitement to violence.")
    case.reply_text = "Demo: we disagree; the speech was taken out of context."
    case.replied_at = now - timedelta(days=30)
    services.decide_case(session, case, withdraw=True, by=coordinator, now=now,
                         reason="Demo: the reply does not change the assessment; the board still stands behind it.")

    # Under notice: confirmed three days ago, the reply deadline still ahead.
    finding = services.report_finding(
        session, organisation=under_notice, conduct_on=(now - timedelta(days=10)).date(),
        category=FindingCategory.VIOLENCE.value, actor_kind=FindingActor.EMPLOYEE.value,
        actor_name="Anställd (demo)", source_category=FindingSource.POLICE.value,
        evidence="Demo: an employee threatened participants at an activity (police report on file).",
        by=officer, reporting_committee_id=committee_id, now=now - timedelta(days=5))
    session.flush()
    services.assess_finding(session, finding, confirm=True, by=coordinator, now=now - timedelta(days=3),
                            reason="Demo: the police report and the activity leader's account agree.")
