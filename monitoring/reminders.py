"""Reminders sent by the scheduler: reports due and declarations expiring.

Each message carries a dedup_key naming the milestone (or signature), the stage and the
recipient, so the outbox queues it once however often the job runs."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from grants.followup import is_overdue, milestone_owed
from grants.models import FollowUpPlan, Grant, GrantStatus, Milestone
from monitoring.queries import base_url
from organisations.mail import mail_recipients
from organisations.models import DeclarationSignature, Organisation
from portal import outbox

def report_stage(milestone: Milestone, grant_status: str, today, days_before: int) -> str | None:
    """Which reminder a milestone is due for today: overdue (grants.followup.report_overdue), due
    (on the day) or before (within `days_before` days of it)."""
    if is_overdue(milestone, grant_status, today):
        return "overdue"
    if today == milestone.due_on:
        return "due"
    if today >= milestone.due_on - timedelta(days=days_before):
        return "before"
    return None


def send_report_reminders(session: Session, now: datetime, days_before: int) -> dict:
    """Remind the organisation's representatives of reports not yet handed in: before the due date,
    on it, and when overdue; an overdue report is also reported to the plan's responsible officer."""
    today = now.date()
    rows = session.execute(
        select(Milestone, Grant, FollowUpPlan)
        .join(FollowUpPlan, Milestone.plan_id == FollowUpPlan.id)
        .join(Grant, Grant.application_id == FollowUpPlan.application_id)
        # Reminders go out while the grant runs: a completed grant's history is not chased again.
        .where(Grant.status == GrantStatus.ACTIVE.value, milestone_owed(),
               Milestone.due_on <= today + timedelta(days=days_before))
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    queued = 0
    for milestone, grant, plan in rows:
        stage = report_stage(milestone, grant.status, today, days_before)
        if stage is None:
            continue
        recipients = mail_recipients(session, grant.organisation_id)
        subject = {
            "before": _("Report due on %(date)s: %(title)s", date=milestone.due_on.isoformat(),
                        title=grant.application.title),
            "due": _("Report due today: %(title)s", title=grant.application.title),
            "overdue": _("Report overdue since %(date)s: %(title)s", date=milestone.due_on.isoformat(),
                         title=grant.application.title),
        }[stage]
        body = _("%(org)s owes a report for the grant \"%(title)s\", due on %(date)s. "
                 "Submit it in the grants portal: %(url)s/monitoring/deadlines",
                 org=grant.organisation.name, title=grant.application.title,
                 date=milestone.due_on.isoformat(), url=base_url())
        for recipient in recipients:
            if outbox.queue(session, to=recipient.address, subject=subject, body=body, now=now,
                            dedup_key=f"report-reminder:{milestone.id}:{stage}:{recipient.key}"):
                queued += 1
        officer = plan.responsible_officer
        if stage == "overdue" and officer is not None:
            if outbox.queue(session, to=officer.email, subject=subject, body=body, now=now,
                            dedup_key=f"report-reminder:{milestone.id}:overdue:officer:{officer.id}"):
                queued += 1
    return {"milestones": len(rows), "queued": queued}


def send_declaration_reminders(session: Session, now: datetime, days_before: int = 30) -> dict:
    """Tell representatives that the democracy declaration expires within `days_before` days, and
    again once it has expired. Only each organisation's latest signature counts."""
    newer = aliased(DeclarationSignature)
    has_newer = exists().where(newer.organisation_id == DeclarationSignature.organisation_id,
                               or_(newer.signed_at > DeclarationSignature.signed_at,
                                   and_(newer.signed_at == DeclarationSignature.signed_at,
                                        newer.id > DeclarationSignature.id)))
    rows = session.execute(
        select(DeclarationSignature, Organisation)
        .join(Organisation, Organisation.id == DeclarationSignature.organisation_id)
        .where(DeclarationSignature.expires_at <= now + timedelta(days=days_before), ~has_newer)
        .order_by(DeclarationSignature.id)
    ).all()
    queued = 0
    for signature, organisation in rows:
        expired = signature.expires_at <= now
        stage = "expired" if expired else "soon"
        if expired:
            subject = _("The democracy declaration of %(org)s has expired", org=organisation.name)
            body = _("The democracy declaration of %(org)s expired on %(date)s. Sign it again in the grants "
                     "portal: no grant can be decided or paid without a valid declaration.",
                     org=organisation.name, date=signature.expires_at.date().isoformat())
        else:
            subject = _("The democracy declaration of %(org)s expires soon", org=organisation.name)
            body = _("The democracy declaration of %(org)s expires on %(date)s. Renew it in the grants portal "
                     "in good time.", org=organisation.name, date=signature.expires_at.date().isoformat())
        for recipient in mail_recipients(session, organisation.id):
            if outbox.queue(session, to=recipient.address, subject=subject, body=body, now=now,
                            dedup_key=f"declaration-expiry:{signature.id}:{stage}:{recipient.key}"):
                queued += 1
    return {"declarations": len(rows), "queued": queued}
