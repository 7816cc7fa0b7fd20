"""Payment rules: which tranches and repayment claims may move, and moving them. The scheduler
calls releasable_tranches() and release_tranche(by=None); officers use the same functions, and a
withdrawal of all support cancels tranches through the same cancel_tranche().
No money moves while an organisation is barred (DESIGN.md): release and payment each ask
eligibility.money_gate at their own moment (bar, notice, confirmed finding, declaration).

Each move has one `*_refusal(object, by)` that says why `by` may not make it now (None: they
may). The service raises it; the page asks `can_*` (the same function) to decide which buttons
to show, so a template never repeats a status list:

| rule | function | used by |
|---|---|---|
| may release a tranche | `release_refusal`, `can_release` | release_tranche (page, scheduler), grant page |
| may mark a tranche paid | `payment_refusal`, `can_mark_paid` | mark_tranche_paid (page, finance API), grant page |
| may cancel a tranche (scheduled, released or stopped) | `cancel_refusal`, `can_cancel` | cancel_tranche (page, withdrawal), grant page |
| may confirm / mark repaid / waive a claim | `claim_refusal`, `can_handle_claim` | the claim services, grant page |
| who sees a claim | `claim_visible_to` | grant page |

The database decides races (portal.concurrency): each move is a conditional update of the status
the refusal checked, so of two people moving the same tranche or claim at once one gets a
Conflict and nothing is written for them; a claim's sums are read under a lock on its grant
(`unclaimed_under_lock`, also used by grants.withdrawal).
"""
from __future__ import annotations

from datetime import date, datetime

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from eligibility.models import CaseStatus
from eligibility.money_gate import money_may_move_clause, money_refusal
from grants.models import Grant, GrantStatus, RepaymentClaim, RepaymentStatus, Tranche, TrancheStatus
from grants.permissions import can_manage_grant
from organisations.mail import mail_recipients
from organisations.models import Organisation
from portal import audit, clock, outbox
from portal.concurrency import lock_row, update_status_if
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import User


def _officer_refusal(by: User | None, grant: Grant) -> PermissionDenied | None:
    """Officers of the granting committee handle its payments; `by` None is the scheduler."""
    if by is not None and not can_manage_grant(by, grant):
        return PermissionDenied(_("Only officers of the granting committee may handle its payments."))
    return None


def _refuse(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


def _money_stopped(grant: Grant, now: datetime | None) -> DomainError | None:
    """eligibility.money_gate at `now`. A page (no `now`) asks at the clock's now, once per request
    and organisation, however many buttons it decides."""
    if now is not None:
        return money_refusal(object_session(grant), grant.organisation, now)
    asked = g.setdefault("money_refusals", {}) if has_request_context() else {}
    if grant.organisation_id not in asked:
        asked[grant.organisation_id] = money_refusal(object_session(grant), grant.organisation, clock.now())
    return asked[grant.organisation_id]


def money_stopped_now(grant: Grant) -> DomainError | None:
    """For the grant page: why no money moves to the grant's organisation now, or None."""
    return _money_stopped(grant, None)


def can_release(user: User, tranche: Tranche, now: datetime | None = None) -> bool:
    return release_refusal(tranche, user, now) is None


def can_mark_paid(user: User, tranche: Tranche, now: datetime | None = None) -> bool:
    return payment_refusal(tranche, user, now) is None


def can_cancel(user: User, tranche: Tranche) -> bool:
    return cancel_refusal(tranche, user) is None


def condition_met(tranche: Tranche) -> bool:
    if tranche.condition == "milestone_approved":
        return tranche.condition_milestone is not None and tranche.condition_milestone.report_approved_at is not None
    return True


def releasable_tranches(session: Session, now: datetime) -> list[Tranche]:
    """Scheduled, due, grant active, organisation not barred and money may move to it (money_gate), condition met."""
    candidates = session.scalars(
        select(Tranche).join(Grant, Tranche.grant_id == Grant.id)
        .join(Organisation, Grant.organisation_id == Organisation.id)
        .where(Tranche.status == TrancheStatus.SCHEDULED.value, Tranche.due_on <= now.date(),
               Grant.status == GrantStatus.ACTIVE.value, money_may_move_clause(now))
        .order_by(Tranche.due_on, Tranche.id)).all()
    return [t for t in candidates if condition_met(t)]


def release_refusal(tranche: Tranche, by: User | None, now: datetime | None = None) -> DomainError | None:
    """Release needs an officer of the granting committee (or the scheduler, by None), a scheduled
    tranche, an active grant, an organisation not barred that money may move to at `now`
    (eligibility.money_gate), and the tranche's condition met."""
    grant = tranche.grant
    if (refusal := _officer_refusal(by, grant)) is not None:
        return refusal
    if tranche.status != TrancheStatus.SCHEDULED.value:
        return DomainError(_("Only a scheduled tranche can be released."))
    if grant.status != GrantStatus.ACTIVE.value:
        return DomainError(_("The grant is not active, so no money can be released."))
    if (refusal := _money_stopped(grant, now)) is not None:
        return refusal
    if not condition_met(tranche):
        return DomainError(_("The tranche waits for an approved report."))
    return None


def release_tranche(session: Session, tranche: Tranche, *, by: User | None, now: datetime) -> Tranche:
    _refuse(release_refusal(tranche, by, now))
    grant = tranche.grant
    update_status_if(session, tranche, expected=TrancheStatus.SCHEDULED.value,
                     values={"status": TrancheStatus.RELEASED.value, "released_at": now,
                             "released_by_id": by.id if by else None},
                     conflict=Conflict(_("Someone else already released or cancelled this tranche.")))
    audit.record(session, actor=by, action="tranche.released", obj=tranche,
                 changes={"grant_id": grant.id, "amount": tranche.amount}, now=now)
    return tranche


def payment_refusal(tranche: Tranche, by: User | None, now: datetime | None = None) -> DomainError | None:
    """Marking paid needs an officer of the granting committee, a released tranche (a second
    payment is a conflict), and an organisation not barred that money may move to at `now`
    (eligibility.money_gate)."""
    grant = tranche.grant
    if (refusal := _officer_refusal(by, grant)) is not None:
        return refusal
    if tranche.status == TrancheStatus.PAID.value:
        return Conflict(_("The tranche is already marked as paid."))
    if tranche.status != TrancheStatus.RELEASED.value:
        return DomainError(_("Only a released tranche can be marked as paid."))
    if (refusal := _money_stopped(grant, now)) is not None:
        return refusal
    return None


def mark_tranche_paid(session: Session, tranche: Tranche, *, by: User | None, now: datetime) -> Tranche:
    _refuse(payment_refusal(tranche, by, now))
    grant = tranche.grant
    update_status_if(session, tranche, expected=TrancheStatus.RELEASED.value,
                     values={"status": TrancheStatus.PAID.value, "paid_at": now, "paid_by_id": by.id if by else None},
                     conflict=Conflict(_("Someone else already marked this tranche as paid or cancelled it.")))
    audit.record(session, actor=by, action="tranche.paid", obj=tranche,
                 changes={"grant_id": grant.id, "amount": tranche.amount}, now=now)
    return tranche


def cancel_refusal(tranche: Tranche, by: User | None, withdrawal_case=None) -> DomainError | None:
    """Cancelling needs a tranche not yet paid or cancelled and, by hand, an officer of the granting
    committee; in a withdrawal the authority is the coordinator's decision of the case, which must
    be the grantee organisation's own case, decided to withdraw support."""
    if withdrawal_case is None:
        if (refusal := _officer_refusal(by, tranche.grant)) is not None:
            return refusal
    elif (withdrawal_case.organisation_id != tranche.grant.organisation_id
          or withdrawal_case.status != CaseStatus.WITHDRAWN.value):
        return PermissionDenied(_("Only officers of the granting committee may handle its payments."))
    if tranche.status not in (TrancheStatus.SCHEDULED.value, TrancheStatus.RELEASED.value, TrancheStatus.STOPPED.value):
        return DomainError(_("A paid or cancelled tranche cannot be cancelled."))
    return None


def cancel_tranche(session: Session, tranche: Tranche, *, by: User | None, now: datetime, reason: str = "",
                   withdrawal_case=None) -> Tranche:
    """The one way a tranche is cancelled: by hand, or by a withdrawal of all support (grants.withdrawal,
    which passes its decided case)."""
    _refuse(cancel_refusal(tranche, by, withdrawal_case))
    before = tranche.status
    update_status_if(session, tranche, expected=before,
                     values={"status": TrancheStatus.CANCELLED.value, "cancelled_at": now},
                     conflict=Conflict(_("Someone else changed this tranche first. Reload the page and check.")))
    changes = {"status": [before, tranche.status], "grant_id": tranche.grant_id, "amount": tranche.amount}
    if withdrawal_case is not None:
        changes["withdrawal_case_id"] = withdrawal_case.id
    audit.record(session, actor=by, action="tranche.cancelled", obj=tranche, changes=changes, reason=reason or None,
                 now=now)
    return tranche


def unclaimed_under_lock(session: Session, grant: Grant) -> int:
    """What was paid out on `grant` and is not yet claimed back (claims not waived, those of this
    transaction included). The sums are read under a lock on the grant, held until the transaction
    ends: every path that claims money back (by hand, a withdrawal of support) asks here first, so
    two claims made at once cannot together pass what was paid."""
    lock_row(session, Grant, grant.id)
    paid = session.scalar(select(func.coalesce(func.sum(Tranche.amount), 0))
                          .where(Tranche.grant_id == grant.id, Tranche.status == TrancheStatus.PAID.value))
    claimed = session.scalar(select(func.coalesce(func.sum(RepaymentClaim.amount), 0))
                             .where(RepaymentClaim.grant_id == grant.id,
                                    RepaymentClaim.status != RepaymentStatus.WAIVED.value))
    return paid - claimed


def raise_repayment_claim(session: Session, grant: Grant, *, amount: int, reason: str, due_on: date | None,
                          by: User | None, now: datetime) -> RepaymentClaim:
    """Återkrav: at most what was paid out on the grant and not yet claimed (`unclaimed_under_lock`)."""
    _refuse(_officer_refusal(by, grant))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the claim."), field="reason")
    if amount <= 0 or amount > unclaimed_under_lock(session, grant):
        raise DomainError(_("The claim must be above zero and at most what has been paid and not yet claimed."),
                          field="amount")
    claim = RepaymentClaim(grant=grant, amount=amount, reason=reason.strip(), due_on=due_on,
                           status=RepaymentStatus.RAISED.value, created_at=now, created_by_id=by.id if by else None,
                           sent_at=now)
    session.add(claim)
    session.flush()
    audit.record(session, actor=by, action="repayment_claim.raised", obj=claim,
                 changes={"grant_id": grant.id, "amount": amount, "due_on": due_on}, reason=claim.reason, now=now)
    _tell_organisation(session, claim, now)
    return claim


def _tell_organisation(session: Session, claim: RepaymentClaim, now: datetime) -> None:
    from portal.formatting import format_money

    grant = claim.grant
    body = _("%(committee)s claims repayment of %(amount)s for the grant %(ref)s.\n\nReason: %(reason)s",
             committee=grant.committee.name, amount=format_money(claim.amount), ref=grant.application.reference,
             reason=claim.reason)
    if claim.due_on:
        body += "\n" + _("Pay no later than %(date)s.", date=claim.due_on.isoformat())
    for email in [recipient.address for recipient in mail_recipients(session, grant.organisation_id)]:
        outbox.queue(session, to=email, now=now, dedup_key=f"repayment-claim:{claim.id}:{email}",
                     subject=_("Repayment claim for the grant %(ref)s", ref=grant.application.reference), body=body)


# Each move on a claim: the statuses it may start from, and the refusal otherwise.
_CLAIM_MOVES = {
    "confirm": ((RepaymentStatus.PROPOSED.value,), lambda: _("Only a proposed claim can be confirmed.")),
    "mark_repaid": ((RepaymentStatus.RAISED.value,),
                    lambda: _("Only a claim sent to the organisation can be marked as repaid.")),
    "waive": ((RepaymentStatus.PROPOSED.value, RepaymentStatus.RAISED.value),
              lambda: _("Only a proposed or sent claim can be waived.")),
}


def claim_refusal(claim: RepaymentClaim, move: str, by: User) -> DomainError | None:
    """A claim is handled by an officer of the granting committee, from the statuses its move allows
    (confirm a proposed claim; mark a sent claim repaid; waive a proposed or sent one)."""
    if not can_manage_grant(by, claim.grant):
        return PermissionDenied(_("Only officers of the granting committee may handle its repayment claims."))
    allowed, refusal = _CLAIM_MOVES[move]
    if claim.status not in allowed:
        return DomainError(refusal())
    return None


def _claim_moved() -> Conflict:
    return Conflict(_("Someone else handled this repayment claim first. Reload the page and check."))


def can_handle_claim(user: User, claim: RepaymentClaim, move: str) -> bool:
    return claim_refusal(claim, move, user) is None


def claim_visible_to(user: User, claim: RepaymentClaim) -> bool:
    """A claim a withdrawal proposed is the committee's to confirm: staff see it at once, the
    organisation only once it is sent."""
    return claim.status != RepaymentStatus.PROPOSED.value or user.is_staff


def confirm_repayment_claim(session: Session, claim: RepaymentClaim, *, due_on: date | None, by: User,
                            now: datetime) -> RepaymentClaim:
    """A claim a withdrawal proposed becomes a real claim only when an officer of the granting
    committee confirms it: it is then sent to the organisation with a due date."""
    _refuse(claim_refusal(claim, "confirm", by))
    if due_on is None:
        raise DomainError(_("Give the date the repayment is due."), field="due_on")
    if due_on < now.date():
        raise DomainError(_("The due date cannot be in the past."), field="due_on")
    update_status_if(session, claim, expected=RepaymentStatus.PROPOSED.value,
                     values={"status": RepaymentStatus.RAISED.value, "due_on": due_on, "sent_at": now},
                     conflict=_claim_moved())
    audit.record(session, actor=by, action="repayment_claim.confirmed", obj=claim,
                 changes={"status": [RepaymentStatus.PROPOSED.value, RepaymentStatus.RAISED.value],
                          "due_on": due_on, "amount": claim.amount}, now=now)
    _tell_organisation(session, claim, now)
    return claim


def mark_repayment_paid(session: Session, claim: RepaymentClaim, *, by: User, now: datetime) -> RepaymentClaim:
    _refuse(claim_refusal(claim, "mark_repaid", by))
    update_status_if(session, claim, expected=RepaymentStatus.RAISED.value,
                     values={"status": RepaymentStatus.PAID.value, "paid_at": now}, conflict=_claim_moved())
    audit.record(session, actor=by, action="repayment_claim.paid", obj=claim,
                 changes={"status": [RepaymentStatus.RAISED.value, RepaymentStatus.PAID.value],
                          "amount": claim.amount}, now=now)
    return claim


def waive_repayment_claim(session: Session, claim: RepaymentClaim, *, reason: str, by: User,
                          now: datetime) -> RepaymentClaim:
    """Waiving (efterge) a proposed or sent claim needs a written reason; a repaid claim stays."""
    _refuse(claim_refusal(claim, "waive", by))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for waiving the claim."), field="reason")
    before = claim.status
    update_status_if(session, claim, expected=before,
                     values={"status": RepaymentStatus.WAIVED.value, "waived_at": now,
                             "waiver_reason": reason.strip()}, conflict=_claim_moved())
    audit.record(session, actor=by, action="repayment_claim.waived", obj=claim, reason=claim.waiver_reason,
                 changes={"status": [before, RepaymentStatus.WAIVED.value], "amount": claim.amount}, now=now)
    return claim
