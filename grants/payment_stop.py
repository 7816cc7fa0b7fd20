"""Stop payment (utbetalningsstopp): a confirmed finding, of any category, stops every payment to the
organisation at once. Eligibility confirms the finding and sends `finding_confirmed`; this handler
works in the same transaction (raising here rolls back the confirmation too):

- every active grant of the organisation with money still unpaid gets a stop-payment decision
  (`PaymentStop`, audited as `payment_stop.decided`): its scheduled and released tranches become
  stopped (each audited as `tranche.stopped`), so the scheduler, the officers and the finance
  system see nothing to release or pay;
- the decision letter (PDF, in the grant's letter language) is stored with it, and the
  organisation's representatives are told by mail (organisations.mail).

The grants stay active: withdrawing support is the coordinator's decision after the notice
(grants.withdrawal, which cancels the stopped tranches). When the finding is lifted
(`finding_lifted`, see eligibility.money_gate) and no other finding stands, the stopped tranches
are scheduled again (`tranche.resumed`); releasing them still asks the money gate at that moment.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from eligibility import signals
from eligibility.models import Finding, FindingStatus
from grants.models import Decision, Grant, GrantStatus, PaymentStop, Tranche, TrancheStatus
from organisations.mail import mail_recipients
from portal import audit, outbox
from portal.concurrency import update_status_if
from portal.errors import Conflict
from portal.models import User

UNPAID = (TrancheStatus.SCHEDULED.value, TrancheStatus.RELEASED.value)


def stop_reason() -> str:
    return _("Payments stopped: a coordinator has confirmed a finding that the organisation, or someone acting "
             "for it, breaks the democracy conditions.")


def _moved() -> Conflict:
    return Conflict(_("Someone else changed this tranche first. Reload the page and check."))


def stop_payments(session: Session, finding: Finding, *, by: User | None, now: datetime) -> list[PaymentStop]:
    """The stop-payment decisions for `finding` (the module's rule), one per active grant with
    money still unpaid."""
    reason = stop_reason()
    stops = []
    grants = session.scalars(select(Grant).where(Grant.organisation_id == finding.organisation_id,
                                                 Grant.status == GrantStatus.ACTIVE.value).order_by(Grant.id)).all()
    for grant in grants:
        held = [t for t in sorted(grant.tranches, key=lambda t: t.id)
                if t.status in (*UNPAID, TrancheStatus.STOPPED.value)]
        if not held:
            continue
        for tranche in held:
            if tranche.status in UNPAID:
                _stop(session, tranche, finding, reason=reason, by=by, now=now)
        locale = session.scalar(select(Decision.letter_locale).where(Decision.id == grant.decision_id)) or "sv"
        stop = PaymentStop(grant=grant, finding_id=finding.id, stopped_at=now, letter_locale=locale,
                           stopped_amount=sum(t.amount for t in held))
        session.add(stop)
        session.flush()
        audit.record(session, actor=by, action="payment_stop.decided", obj=stop, reason=reason,
                     changes={"grant_id": grant.id, "finding_id": finding.id, "tranches": [t.id for t in held],
                              "amount": stop.stopped_amount}, now=now)
        from grants.letters import stop_payment_letter_pdf

        stop.letter_pdf = stop_payment_letter_pdf(stop, grant, held)
        _tell_organisation(session, stop, grant, now)
        stops.append(stop)
    return stops


def _stop(session: Session, tranche: Tranche, finding: Finding, *, reason: str, by: User | None,
          now: datetime) -> None:
    before = tranche.status
    update_status_if(session, tranche, expected=before,
                     values={"status": TrancheStatus.STOPPED.value, "stopped_at": now}, conflict=_moved())
    audit.record(session, actor=by, action="tranche.stopped", obj=tranche, reason=reason,
                 changes={"status": [before, TrancheStatus.STOPPED.value], "grant_id": tranche.grant_id,
                          "amount": tranche.amount, "finding_id": finding.id}, now=now)


def _tell_organisation(session: Session, stop: PaymentStop, grant: Grant, now: datetime) -> None:
    """Each recipient in their own language; the letter itself is on the grant's page."""
    for recipient in mail_recipients(session, grant.organisation_id):
        with force_locale(recipient.locale or stop.letter_locale):
            subject = _("Payments stopped for the grant %(ref)s", ref=grant.application.reference)
            body = (stop_reason() + "\n\n"
                    + _("No more money is paid on the grant %(ref)s from %(committee)s until the matter is decided. "
                        "You will be told before any decision to withdraw support, and you may reply then. "
                        "Log in to read the stop-payment letter.",
                        ref=grant.application.reference, committee=grant.committee.name))
        outbox.queue(session, to=recipient.address, subject=subject, body=body, now=now,
                     dedup_key=f"payment-stop:{stop.id}:{recipient.key}")


def resume_payments(session: Session, finding: Finding, *, by: User | None, now: datetime) -> int:
    """The finding is lifted: its stops are lifted, and once no other finding of the organisation
    stands the stopped tranches of its active grants are scheduled again. Returns how many."""
    stops = session.scalars(select(PaymentStop).where(PaymentStop.finding_id == finding.id,
                                                      PaymentStop.lifted_at.is_(None))).all()
    for stop in stops:
        stop.lifted_at = now
        audit.record(session, actor=by, action="payment_stop.lifted", obj=stop,
                     changes={"grant_id": stop.grant_id, "finding_id": finding.id}, now=now)
    still_standing = session.scalar(select(Finding.id).where(
        Finding.organisation_id == finding.organisation_id, Finding.status == FindingStatus.CONFIRMED.value,
        Finding.lifted_at.is_(None)).limit(1))
    if still_standing is not None:
        return 0
    tranches = session.scalars(select(Tranche).join(Grant, Tranche.grant_id == Grant.id).where(
        Grant.organisation_id == finding.organisation_id, Grant.status == GrantStatus.ACTIVE.value,
        Tranche.status == TrancheStatus.STOPPED.value).order_by(Tranche.id)).all()
    for tranche in tranches:
        update_status_if(session, tranche, expected=TrancheStatus.STOPPED.value,
                         values={"status": TrancheStatus.SCHEDULED.value, "released_at": None,
                                 "released_by_id": None}, conflict=_moved())
        audit.record(session, actor=by, action="tranche.resumed", obj=tranche,
                     changes={"status": [TrancheStatus.STOPPED.value, TrancheStatus.SCHEDULED.value],
                              "grant_id": tranche.grant_id, "amount": tranche.amount, "finding_id": finding.id},
                     now=now)
    return len(tranches)


def _on_confirmed(sender, **kwargs) -> None:
    stop_payments(kwargs["session"], kwargs["finding"], by=kwargs["by"], now=kwargs["now"])


def _on_lifted(sender, **kwargs) -> None:
    resume_payments(kwargs["session"], kwargs["finding"], by=kwargs["by"], now=kwargs["now"])


def connect() -> None:
    """Called from grants' init_app. Connecting twice is harmless (blinker keeps one receiver)."""
    signals.finding_confirmed.connect(_on_confirmed)
    signals.finding_lifted.connect(_on_lifted)
