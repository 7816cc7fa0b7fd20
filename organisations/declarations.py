"""The democracy declaration: is the organisation's signature valid now?

Valid = signed for the current text version, by an authorised signatory, and not expired.
A new text version requires a new signature (rule from the organisations issue).

`status_of` judges loaded rows; `valid_declaration_clause` is the same rule as a SQL condition
(eligibility.money_gate asks it at every step that moves money, for one organisation or many).
tests/organisations/test_declaration_clause_agreement.py checks that the two agree."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from organisations.models import DeclarationSignature, DeclarationText


@dataclass(frozen=True)
class DeclarationStatus:
    valid: bool
    reason: str  # "valid", "missing", "expired", "old_version", "no_text"
    signature: DeclarationSignature | None
    current_text: DeclarationText | None


def current_text(session: Session) -> DeclarationText | None:
    return session.scalar(select(DeclarationText).order_by(DeclarationText.version.desc()).limit(1))


def latest_signature(session: Session, organisation_id: int) -> DeclarationSignature | None:
    return session.scalar(
        select(DeclarationSignature).where(DeclarationSignature.organisation_id == organisation_id)
        .order_by(DeclarationSignature.signed_at.desc(), DeclarationSignature.id.desc()).limit(1))


def latest_signatures(session: Session, organisation_ids: Sequence[int]) -> dict[int, DeclarationSignature | None]:
    """latest_signature() of many organisations in one query (eligibility screens thousands at once)."""
    latest: dict[int, DeclarationSignature | None] = dict.fromkeys(organisation_ids)
    signatures = session.scalars(
        select(DeclarationSignature).where(DeclarationSignature.organisation_id.in_(organisation_ids))
        .order_by(DeclarationSignature.signed_at.desc(), DeclarationSignature.id.desc()))
    for signature in signatures:
        if latest[signature.organisation_id] is None:
            latest[signature.organisation_id] = signature
    return latest


def declaration_status(session: Session, organisation_id: int, now: datetime) -> DeclarationStatus:
    return status_of(current_text(session), latest_signature(session, organisation_id), now)


def status_of(text: DeclarationText | None, signature: DeclarationSignature | None, now: datetime) -> DeclarationStatus:
    """The status given the current text and the organisation's latest signature."""
    if text is None:
        return DeclarationStatus(False, "no_text", signature, None)
    if signature is None:
        return DeclarationStatus(False, "missing", None, text)
    if signature.text_id != text.id:
        return DeclarationStatus(False, "old_version", signature, text)
    if signature.expires_at <= now:
        return DeclarationStatus(False, "expired", signature, text)
    return DeclarationStatus(True, "valid", signature, text)


def valid_declaration_clause(organisation_id, now: datetime):
    """`status_of(...).valid` as a SQL condition on an organisation id column: the organisation's
    latest signature is for the current text and has not expired at `now`."""
    latest = (select(DeclarationSignature.id).where(DeclarationSignature.organisation_id == organisation_id)
              .order_by(DeclarationSignature.signed_at.desc(), DeclarationSignature.id.desc()).limit(1)
              .correlate_except(DeclarationSignature).scalar_subquery())
    current = select(DeclarationText.id).order_by(DeclarationText.version.desc()).limit(1).scalar_subquery()
    return exists().where(DeclarationSignature.id == latest, DeclarationSignature.text_id == current,
                          DeclarationSignature.expires_at > now)
