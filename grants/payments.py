"""Payment rules: which tranches may move, and moving them. The scheduler calls
releasable_tranches() and release_tranche(by=None); officers use the same functions, and a
withdrawal of all support cancels tranches through the same cancel_tranche().
No money moves while an organisation is barred (DESIGN.md)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from grants.models import Grant, GrantStatus, RepaymentClaim, RepaymentStatus, Tranche, TrancheStatus
from organisations.models import Organisation, OrganisationStatus
from portal import audit, outbox
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import Role, User


def _check_officer(by: User | None, grant: Grant) -> None:
    if by is not None and not by.has_role(Role.OFFICER, grant.committee_id):
        raise PermissionDenied(_("Only officers of the granting committee may handle its payments."))


def condition_met(tranche: Tranche) -> bool:
    if tranche.condition == "milestone_approved":
        return tranche.condition_milestone is not None and tranche.condition_milestone.report_approved_at is not None
    return True


def releasable_tranches(session: Session, now: datetime) -> list[Tranche]:
    """Scheduled, due, grant active, organisation not barred, condition met."""
    candidates = session.scalars(
        select(Tranche).join(Grant, Tranche.grant_id == Grant.id)
        .join(Organisation, Grant.organisation_id == Organisation.id)
        .where(Tranche.status == TrancheStatus.SCHEDULED.value, Tranche.due_on <= now.date(),
               Grant.status == GrantStatus.ACTIVE.value, Organisation.status != OrganisationStatus.BARRED.value)
        .order_by(Tranche.due_on, Tranche.id)).all()
    return [t for t in candidates if condition_met(t)]


def release_tranche(session: Session, tranche: Tranche, *, by: User | None, now: datetime) -> Tranche:
    grant = tranche.grant
    _check_officer(by, grant)
    if tranche.status != TrancheStatus.SCHEDULED.value:
        raise DomainError(_("Only a scheduled tranche can be released."))
    if grant.status != GrantStatus.ACTIVE.value:
        raise DomainError(_("The grant is not active, so no money can be released."))
    if grant.organisation.is_barred:
        raise DomainError(_("The organisation is barred: no money may be paid."))
    if not condition_met(tranche):
        raise DomainError(_("The tranche waits for an approved report."))
    tranche.status = TrancheStatus.RELEASED.value
    tranche.released_at = now
    tranche.released_by_id = by.id if by else None
    audit.record(session, actor=by, action="tranche.released", obj=tranche,
                 changes={"grant_id": grant.id, "amount": tranche.amount}, now=now)
    return tranche


def mark_tranche_paid(session: Session, tranche: Tranche, *, by: User | None, now: datetime) -> Tranche:
    grant = tranche.grant
    _check_officer(by, grant)
    if tranche.status == TrancheStatus.PAID.value:
        raise Conflict(_("The tranche is already marked as paid."))
    if tranche.status != TrancheStatus.RELEASED.value:
        raise DomainError(_("Only a released tranche can be marked as paid."))
    if grant.organisation.is_barred:
        raise DomainError(_("The organisation is barred: no money may be paid."))
    tranche.status = TrancheStatus.PAID.value
    tranche.paid_at = now
    tranche.paid_by_id = by.id if by else None
    audit.record(session, actor=by, action="tranche.paid", obj=tranche,
                 changes={"grant_id": grant.id, "amount": tranche.amount}, now=now)
    return tranche


def cancel_tranche(session: Session, tranche: Tranche, *, by: User | None, now: datetime, reason: str = "",
                   withdrawal_case_id: int | None = None) -> Tranche:
    """The one way a tranche is cancelled: by hand, or by a withdrawal of all support (grants.withdrawal).
    By hand only an officer of the granting committee may; in a withdrawal the authority is the
    coordinator's decision of the case named by `withdrawal_case_id`, so the officer check does not apply."""
    if withdrawal_case_id is None:
        _check_officer(by, tranche.grant)
    before = tranche.status
    if before not in (TrancheStatus.SCHEDULED.value, TrancheStatus.RELEASED.value):
        raise DomainError(_("A paid or cancelled tranche cannot be cancelled."))
    tranche.status = TrancheStatus.CANCELLED.value
    tranche.cancelled_at = now
    changes = {"status": [before, tranche.status], "grant_id": tranche.grant_id, "amount": tranche.amount}
    if withdrawal_case_id is not None:
        changes["withdrawal_case_id"] = withdrawal_case_id
    audit.record(session, actor=by, action="tranche.cancelled", obj=tranche, changes=changes, reason=reason or None,
                 now=now)
    return tranche


def raise_repayment_claim(session: Session, grant: Grant, *, amount: int, reason: str, due_on: date | None,
                          by: User | None, now: datetime) -> RepaymentClaim:
    """Återkrav: at most what was paid out on the grant."""
    _check_officer(by, grant)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the claim."), field="reason")
    paid = sum(t.amount for t in grant.tranches if t.status == TrancheStatus.PAID.value)
    claimed = sum(c.amount for c in grant.repayment_claims if c.status != RepaymentStatus.WAIVED.value)
    if amount <= 0 or amount + claimed > paid:
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
    from grants.services import representative_emails
    from portal.formatting import format_money

    grant = claim.grant
    body = _("%(committee)s claims repayment of %(amount)s for the grant %(ref)s.\n\nReason: %(reason)s",
             committee=grant.committee.name, amount=format_money(claim.amount), ref=grant.application.reference,
             reason=claim.reason)
    if claim.due_on:
        body += "\n" + _("Pay no later than %(date)s.", date=claim.due_on.isoformat())
    for email in representative_emails(session, grant.organisation_id):
        outbox.queue(session, to=email, now=now, dedup_key=f"repayment-claim:{claim.id}:{email}",
                     subject=_("Repayment claim for the grant %(ref)s", ref=grant.application.reference), body=body)


def _check_claim_handler(by: User, claim: RepaymentClaim) -> None:
    if not by.has_role(Role.OFFICER, claim.grant.committee_id):
        raise PermissionDenied(_("Only officers of the granting committee may handle its repayment claims."))


def confirm_repayment_claim(session: Session, claim: RepaymentClaim, *, due_on: date | None, by: User,
                            now: datetime) -> RepaymentClaim:
    """A claim a withdrawal proposed becomes a real claim only when an officer of the granting
    committee confirms it: it is then sent to the organisation with a due date."""
    _check_claim_handler(by, claim)
    if claim.status != RepaymentStatus.PROPOSED.value:
        raise DomainError(_("Only a proposed claim can be confirmed."))
    if due_on is None:
        raise DomainError(_("Give the date the repayment is due."), field="due_on")
    if due_on < now.date():
        raise DomainError(_("The due date cannot be in the past."), field="due_on")
    claim.status = RepaymentStatus.RAISED.value
    claim.due_on = due_on
    claim.sent_at = now
    audit.record(session, actor=by, action="repayment_claim.confirmed", obj=claim,
                 changes={"status": [RepaymentStatus.PROPOSED.value, RepaymentStatus.RAISED.value],
                          "due_on": due_on, "amount": claim.amount}, now=now)
    _tell_organisation(session, claim, now)
    return claim


def mark_repayment_paid(session: Session, claim: RepaymentClaim, *, by: User, now: datetime) -> RepaymentClaim:
    _check_claim_handler(by, claim)
    if claim.status != RepaymentStatus.RAISED.value:
        raise DomainError(_("Only a claim sent to the organisation can be marked as repaid."))
    claim.status = RepaymentStatus.PAID.value
    claim.paid_at = now
    audit.record(session, actor=by, action="repayment_claim.paid", obj=claim,
                 changes={"status": [RepaymentStatus.RAISED.value, RepaymentStatus.PAID.value],
                          "amount": claim.amount}, now=now)
    return claim


def waive_repayment_claim(session: Session, claim: RepaymentClaim, *, reason: str, by: User,
                          now: datetime) -> RepaymentClaim:
    """Waiving (efterge) a proposed or sent claim needs a written reason; a repaid claim stays."""
    _check_claim_handler(by, claim)
    if claim.status not in (RepaymentStatus.PROPOSED.value, RepaymentStatus.RAISED.value):
        raise DomainError(_("Only a proposed or sent claim can be waived."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for waiving the claim."), field="reason")
    before = claim.status
    claim.status = RepaymentStatus.WAIVED.value
    claim.waived_at = now
    claim.waiver_reason = reason.strip()
    audit.record(session, actor=by, action="repayment_claim.waived", obj=claim, reason=claim.waiver_reason,
                 changes={"status": [before, RepaymentStatus.WAIVED.value], "amount": claim.amount}, now=now)
    return claim
