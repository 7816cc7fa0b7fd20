"""Withdrawal of all support (indragning), the grants side. Eligibility bars the organisation and
sends `organisation_withdrawn`; this handler changes grants in the same transaction. Raising here
aborts the whole withdrawal: the caller rolls back, nothing is half-done."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eligibility import signals, withdrawal_texts
from grants import payments
from grants.models import (OPEN_APPLICATION_STATUSES, Application, ApplicationStatus, Grant, GrantStatus,
                           Programme, RepaymentClaim, RepaymentStatus, TrancheStatus)
from portal import audit, outbox
from portal.models import Committee, Role, RoleGrant, User


def end_grant(session: Session, grant: Grant, *, reason: str, by: User | None, now: datetime) -> None:
    grant.status = GrantStatus.WITHDRAWN.value
    grant.ended_at = now
    grant.end_reason = reason
    audit.record(session, actor=by, action="grant.withdrawn", obj=grant, reason=reason,
                 changes={"status": [GrantStatus.ACTIVE.value, GrantStatus.WITHDRAWN.value]}, now=now)


def withdraw_all_support(session: Session, *, organisation, case, conduct_on: date, by: User | None,
                         now: datetime) -> dict:
    """Every active grant withdrawn, every unpaid tranche cancelled, every open application closed as
    ineligible, repayment claims proposed for tranches paid after the date of conduct (at most what
    is not yet claimed on the grant), every affected committee told. Returns counts (for the audit
    of the case)."""
    reason = withdrawal_texts.end_reason(case.id)
    affected_committees: set[int] = set()
    counts = {"grants": 0, "tranches": 0, "applications": 0, "claims": 0}

    grants = session.scalars(select(Grant).where(Grant.organisation_id == organisation.id)
                            .order_by(Grant.id)).all()
    for grant in grants:
        for tranche in grant.tranches:
            if payments.cancel_refusal(tranche, by, case) is None:
                payments.cancel_tranche(session, tranche, by=by, now=now, reason=reason, withdrawal_case=case)
                counts["tranches"] += 1
                affected_committees.add(grant.committee_id)
            elif (tranche.status == TrancheStatus.PAID.value and tranche.paid_at is not None
                  and grant.status != GrantStatus.WITHDRAWN.value  # claimed when that grant was withdrawn
                  and tranche.paid_at.date() > conduct_on):
                # No more than is still unclaimed, read under the grant's lock as a claim raised by
                # hand is: one raised before (or at the same moment) has claimed part of it already.
                amount = min(tranche.amount, payments.unclaimed_under_lock(session, grant))
                if amount <= 0:
                    continue
                claim = RepaymentClaim(grant=grant, amount=amount, status=RepaymentStatus.PROPOSED.value,
                                       reason=withdrawal_texts.claim_reason(tranche.paid_at.date(), conduct_on),
                                       created_at=now, created_by_id=by.id if by else None)
                session.add(claim)
                audit.record(session, actor=by, action="repayment_claim.proposed", obj=claim,
                             changes={"grant_id": grant.id, "tranche_id": tranche.id, "amount": amount},
                             now=now)
                counts["claims"] += 1
                affected_committees.add(grant.committee_id)
        if grant.status == GrantStatus.ACTIVE.value:
            end_grant(session, grant, reason=reason, by=by, now=now)
            counts["grants"] += 1
            affected_committees.add(grant.committee_id)

    applications = session.execute(
        select(Application, Programme.committee_id).join(Programme, Application.programme_id == Programme.id)
        .where(Application.organisation_id == organisation.id,
               Application.status.in_([s.value for s in OPEN_APPLICATION_STATUSES]))
        .order_by(Application.id)).all()
    for application, committee_id in applications:
        before = application.status
        application.status = ApplicationStatus.CLOSED_INELIGIBLE.value
        application.closed_reason = reason
        audit.record(session, actor=by, action="application.closed_ineligible", obj=application, reason=reason,
                     changes={"status": [before, application.status]}, now=now)
        counts["applications"] += 1
        affected_committees.add(committee_id)

    _inform_committees(session, affected_committees, organisation=organisation, case=case, counts=counts, now=now)
    audit.record(session, actor=by, action="withdrawal_case.support_withdrawn", obj=case,
                 changes={**counts, "committees": sorted(affected_committees)}, now=now)
    return counts


def _inform_committees(session: Session, committee_ids: set[int], *, organisation, case, counts: dict,
                       now: datetime) -> None:
    if not committee_ids:
        return
    rows = session.execute(
        select(User.email, Committee.id, Committee.name).join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Committee, Committee.id == RoleGrant.committee_id)
        .where(RoleGrant.committee_id.in_(committee_ids), User.active.is_(True),
               RoleGrant.role.in_([Role.OFFICER.value, Role.DECISION_MAKER.value]))).all()
    for email, committee_id, committee_name in rows:
        outbox.queue(
            session, to=email, now=now, dedup_key=f"withdrawal:{case.id}:{committee_id}:{email}",
            subject=withdrawal_texts.committee_subject(organisation.name),
            body=withdrawal_texts.committee_body(organisation.name, committee_name, counts))


def _on_withdrawn(sender, **kwargs) -> None:
    withdraw_all_support(kwargs["session"], organisation=kwargs["organisation"], case=kwargs["case"],
                         conduct_on=kwargs["conduct_on"], by=kwargs["by"], now=kwargs["now"])


def connect() -> None:
    """Called from grants' init_app. Connecting twice is harmless (blinker keeps one receiver)."""
    signals.organisation_withdrawn.connect(_on_withdrawn)
