"""Scheduler entry points: thin wrappers around the services, each taking `now`.

Registered in monitoring.init_app (tranche release and programme closing call grants' services;
grants never imports monitoring); monitoring.insight adds the annual report, through
monitoring.scheduler.register_job."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from monitoring.evaluations import create_due_evaluations
from monitoring.reminders import send_declaration_reminders, send_report_reminders


def report_reminders(session: Session, now: datetime) -> dict:
    return send_report_reminders(session, now, current_app.config["REMINDER_DAYS_BEFORE"])


def due_evaluations(session: Session, now: datetime) -> dict:
    return create_due_evaluations(session, now)


def declaration_reminders(session: Session, now: datetime) -> dict:
    return send_declaration_reminders(session, now, current_app.config["DECLARATION_REMINDER_DAYS"])


def outbox_delivery(session: Session, now: datetime) -> dict:
    """Send queued e-mail. Without MAIL_SERVER the messages stay in the outbox for admins to read."""
    from portal.outbox import send_pending, transport_from_config

    transport = transport_from_config(current_app.config)
    if transport is None:
        return {"sent": 0, "failed": 0, "mail_server": False}
    return send_pending(session, transport, now)


def tranche_release(session: Session, now: datetime) -> dict:
    """Release every due tranche whose condition is met, by the rules in grants.payments (which
    refuse barred organisations and inactive grants). Idempotent: a released tranche is no
    longer scheduled, so a second run finds nothing."""
    from grants.payments import releasable_tranches, release_tranche
    from portal.errors import Conflict

    released = 0
    for tranche in releasable_tranches(session, now):
        try:
            release_tranche(session, tranche, by=None, now=now)
        except Conflict:
            continue  # an officer released or cancelled it meanwhile; the lost update wrote nothing
        released += 1
    return {"released": released}


def programme_open_close(session: Session, now: datetime) -> dict:
    """Close every published programme whose closing date has passed (grants.services). A programme
    opens by its dates alone, so the summary only counts those opening today."""
    from grants.services import close_ended_programmes

    return close_ended_programmes(session, now)
