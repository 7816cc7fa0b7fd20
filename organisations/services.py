"""Organisation registry operations: one function per operation, each one transaction's worth
of changes with its audit event (and e-mail through the outbox). The caller commits or rolls back.

Services take a session and `now`; they never read the Flask request. They raise DomainError
subclasses with `field=` so that pages show the message beside the right field."""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from datetime import datetime, timedelta
from typing import BinaryIO

from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from organisations import documents
from organisations.mail import acting_representatives
from organisations.models import (BoardMember, DeclarationSignature, DeclarationText, Document, DocumentKind,
                                  Invitation, JoinRequest, LegalForm, Organisation, OrganisationDistrict,
                                  PaymentAccountType, Representative)
from organisations.validation import clean_org_number, clean_payment_account, format_org_number
from portal import audit, outbox
from portal.admin.services import checked_email, create_user, grant_role
from portal.auth.services import consume_token, find_user_by_email, issue_token
from portal.errors import Conflict, DomainError, NotFound, PermissionDenied
from portal.models import Role, User
from portal.security import hash_password, hash_token, new_token

CONFIRM_PURPOSE = "confirm"
CONFIRM_VALID_HOURS = 72
PROFILE_FIELDS = (
    "name", "legal_form", "street_address", "postal_code", "city", "contact_name", "email", "phone", "website",
    "payment_account_type", "payment_account", "founding_year", "members_women", "members_men", "members_other",
)
DOCUMENT_KINDS = (DocumentKind.STATUTES.value, DocumentKind.ANNUAL_REPORT.value, DocumentKind.ANNUAL_ACCOUNTS.value,
                  DocumentKind.AUDIT_REPORT.value)


class NotConfirmed(PermissionDenied):
    pass


# --- Accounts -------------------------------------------------------------------------------

def register_applicant(session: Session, *, name: str, email: str, password: str, now: datetime,
                       base_url: str, locale: str | None = None) -> User | None:
    """A person creates an applicant account; it must be confirmed through a single-use link
    sent by e-mail before the person may register or act for an organisation.

    The answer is the same whether the address has an account (OWASP: no account enumeration):
    if it has, nothing is created, None is returned, and the address's owner is told by e-mail
    instead of the person at the form. The password is hashed either way, so that the time of
    the answer tells nothing either."""
    try:
        user = create_user(session, email=email, name=name, password=password, by=None, now=now,
                           roles=[(Role.APPLICANT, None)], locale=locale, confirmed=False)
    except Conflict:
        hash_password(password)
        _tell_owner_of_repeated_signup(session, find_user_by_email(session, email), now=now, base_url=base_url)
        return None
    send_confirmation(session, user, now=now, base_url=base_url)
    return user


def _tell_owner_of_repeated_signup(session: Session, owner: User, *, now: datetime, base_url: str) -> None:
    """At most one such e-mail an hour, so the form cannot flood a mailbox."""
    with force_locale(owner.locale or "sv"):
        outbox.queue(session, to=owner.email, now=now, dedup_key=f"signup-repeated:{owner.id}:{now:%Y-%m-%dT%H}",
                     subject=_("Someone tried to create an account with your address"), body=_(
            "Hello %(name)s,\n\nsomeone tried to create an account in the city's grants portal with your e-mail "
            "address. You already have an account, so no new one was created.\n\nIf it was you, log in: "
            "%(login_url)s\nIf you have forgotten your password, choose a new one: %(reset_url)s\n\n"
            "If it was not you, you need not do anything.",
            name=owner.name, login_url=f"{base_url}/login", reset_url=f"{base_url}/reset"))


def send_confirmation(session: Session, user: User, *, now: datetime, base_url: str) -> None:
    if user.email_confirmed_at is not None:
        return
    token = issue_token(session, user, purpose=CONFIRM_PURPOSE, now=now, valid_hours=CONFIRM_VALID_HOURS)
    with force_locale(user.locale or "sv"):
        outbox.queue(session, to=user.email, now=now, subject=_("Confirm your e-mail address"), body=_(
            "Hello %(name)s,\n\nconfirm your e-mail address for the city's grants portal by opening this link "
            "within %(hours)s hours:\n\n%(url)s\n\nIf you did not create an account, ignore this message.",
            name=user.name, hours=CONFIRM_VALID_HOURS, url=f"{base_url}/account/confirm/{token}"))
    audit.record(session, actor=user, action="user.confirmation_sent", obj=user, now=now)


def confirm_email(session: Session, token: str, *, now: datetime) -> User:
    user = consume_token(session, token, purpose=CONFIRM_PURPOSE, now=now)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        audit.record(session, actor=user, action="user.email_confirmed", obj=user, now=now)
    return user


def require_confirmed(user: User) -> None:
    if user.email_confirmed_at is None:
        raise NotConfirmed(_("Confirm your e-mail address first: open the link in the e-mail we sent you."))


# --- Profile --------------------------------------------------------------------------------

@dataclass
class BoardRow:
    name: str
    role: str
    authorised_signatory: bool = False


@dataclass
class ProfileData:
    name: str = ""
    legal_form: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    payment_account_type: str | None = None
    payment_account: str | None = None
    founding_year: int | None = None
    members_women: int = 0
    members_men: int = 0
    members_other: int = 0
    districts: list[str] = dc_field(default_factory=list)
    board: list[BoardRow] = dc_field(default_factory=list)


def _clean_profile(data: ProfileData, now: datetime) -> dict:
    values: dict = {}
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_("Enter the organisation's name."), field="name")
    values["name"] = name[:200]
    if data.legal_form not in {f.value for f in LegalForm}:
        raise DomainError(_("Choose the legal form."), field="legal_form")
    values["legal_form"] = data.legal_form
    for key, limit in (("street_address", 200), ("city", 100), ("contact_name", 200), ("phone", 40),
                       ("website", 300)):
        values[key] = (getattr(data, key) or "").strip()[:limit]
    postal = re.sub(r"\s", "", data.postal_code or "")
    if postal and not re.fullmatch(r"\d{5}", postal):
        raise DomainError(_("A postal code has 5 digits, like 163 55."), field="postal_code")
    values["postal_code"] = f"{postal[:3]} {postal[3:]}" if postal else ""
    values["email"] = checked_email(data.email) if (data.email or "").strip() else ""
    website = values["website"]
    if website and not re.match(r"^https?://", website):
        values["website"] = website = "https://" + website
    account = clean_payment_account(data.payment_account_type, data.payment_account)
    values["payment_account"] = account
    values["payment_account_type"] = data.payment_account_type if account else None
    if data.founding_year is not None and not 1800 <= data.founding_year <= now.year:
        raise DomainError(_("Enter a founding year between 1800 and %(year)s.", year=now.year), field="founding_year")
    values["founding_year"] = data.founding_year
    for key in ("members_women", "members_men", "members_other"):
        count = getattr(data, key) or 0
        if count < 0:
            raise DomainError(_("A number of members cannot be negative."), field=key)
        values[key] = count
    return values


def _clean_board(rows: list[BoardRow]) -> list[BoardRow]:
    cleaned = []
    for index, row in enumerate(rows):
        name, role = (row.name or "").strip(), (row.role or "").strip()
        if not name and not role:
            continue  # an empty row of the form
        if not name:
            raise DomainError(_("Enter the board member's name (row %(n)s).", n=index + 1), field="board")
        cleaned.append(BoardRow(name[:200], (role or _("Member"))[:100], bool(row.authorised_signatory)))
    if not cleaned:
        raise DomainError(_("Enter at least one board member."), field="board")
    if not any(r.authorised_signatory for r in cleaned):
        raise DomainError(_("Mark at least one board member as authorised to sign for the organisation."),
                          field="board")
    return cleaned


def _clean_districts(districts: list[str], allowed: list[str]) -> list[str]:
    chosen = sorted({d for d in districts if d})
    if not chosen:
        raise DomainError(_("Choose at least one district where the organisation works."), field="districts")
    unknown = [d for d in chosen if d not in allowed]
    if unknown:
        raise DomainError(_("Choose districts from the list."), field="districts")
    return chosen


def _board_snapshot(organisation: Organisation) -> list[dict]:
    return [{"name": b.name, "role": b.role, "authorised_signatory": b.authorised_signatory}
            for b in organisation.board_members]


def _apply_board(organisation: Organisation, rows: list[BoardRow]) -> None:
    """Keep rows whose name stays, so that a signature keeps pointing at its board member."""
    existing = {b.name: b for b in organisation.board_members}
    keep = []
    for row in rows:
        member = existing.pop(row.name, None)
        if member is None:
            member = BoardMember(name=row.name, role=row.role, authorised_signatory=row.authorised_signatory)
        else:
            member.role, member.authorised_signatory = row.role, row.authorised_signatory
        keep.append(member)
    organisation.board_members[:] = keep


@dataclass
class RegistrationResult:
    organisation: Organisation | None = None
    join_request: JoinRequest | None = None


def register_organisation(session: Session, *, by: User, org_number: str, data: ProfileData,
                          allowed_districts: list[str], now: datetime, base_url: str) -> RegistrationResult:
    """Register an organisation with the acting user as its first representative. A number already
    registered becomes a request to join, which its representatives approve or decline."""
    require_confirmed(by)
    number = clean_org_number(org_number)
    existing = session.scalar(select(Organisation).where(Organisation.org_number == number))
    if existing is not None:
        return RegistrationResult(join_request=request_to_join(session, by=by, organisation=existing, now=now,
                                                               base_url=base_url))
    values = _clean_profile(data, now)
    districts = _clean_districts(data.districts, allowed_districts)
    board = _clean_board(data.board)
    organisation = Organisation(org_number=number, created_at=now, updated_at=now, **values)
    organisation.districts = [OrganisationDistrict(district=d) for d in districts]
    _apply_board(organisation, board)
    organisation.representatives.append(Representative(user_id=by.id, added_at=now, added_by_id=by.id))
    session.add(organisation)
    session.flush()
    audit.record(session, actor=by, action="organisation.registered", obj=organisation,
                 changes={"org_number": number, **values, "districts": districts,
                          "board": _board_snapshot(organisation), "representative": by.email}, now=now)
    return RegistrationResult(organisation=organisation)


def update_profile(session: Session, organisation: Organisation, *, by: User, data: ProfileData,
                   allowed_districts: list[str], now: datetime) -> dict:
    """Change the profile, districts and board; audited with the old and new values."""
    values = _clean_profile(data, now)
    districts = _clean_districts(data.districts, allowed_districts)
    board = _clean_board(data.board)
    changes = audit.diff(organisation, values)
    old_districts = organisation.district_names
    if old_districts != districts:
        changes["districts"] = [old_districts, districts]
    old_board = _board_snapshot(organisation)
    for key, value in values.items():
        setattr(organisation, key, value)
    current = {d.district: d for d in organisation.districts}
    organisation.districts[:] = [current.get(d) or OrganisationDistrict(district=d) for d in districts]
    _apply_board(organisation, board)
    new_board = _board_snapshot(organisation)
    if old_board != new_board:
        changes["board"] = [old_board, new_board]
    if changes:
        organisation.updated_at = now
        audit.record(session, actor=by, action="organisation.updated", obj=organisation, changes=changes, now=now)
    return changes


# --- Representatives ------------------------------------------------------------------------

def request_to_join(session: Session, *, by: User, organisation: Organisation, now: datetime,
                    base_url: str) -> JoinRequest:
    if any(r.user_id == by.id for r in organisation.representatives):
        raise Conflict(_("You already represent this organisation."), field="org_number")
    pending = session.scalar(select(JoinRequest).where(
        JoinRequest.organisation_id == organisation.id, JoinRequest.user_id == by.id,
        JoinRequest.status == "pending"))
    if pending is not None:
        return pending
    join = JoinRequest(organisation_id=organisation.id, user_id=by.id, status="pending", created_at=now)
    session.add(join)
    session.flush()
    for representative in acting_representatives(session, organisation.id):
        with force_locale(representative.locale or "sv"):
            outbox.queue(session, to=representative.email, now=now, subject=_("Request to join %(org)s", org=organisation.name),
                         body=_("Hello,\n\n%(name)s (%(email)s) asks to represent %(org)s in the city's grants "
                                "portal. Approve or decline the request here:\n\n%(url)s",
                                name=by.name, email=by.email, org=organisation.name,
                                url=f"{base_url}/organisations/{organisation.id}"))
    audit.record(session, actor=by, action="organisation.join_requested", obj=organisation,
                 changes={"user": by.email}, now=now)
    return join


def decide_join_request(session: Session, join: JoinRequest, *, approve: bool, by: User, now: datetime) -> None:
    if join.status != "pending":
        raise Conflict(_("This request has already been answered."))
    organisation = join.organisation
    join.status = "approved" if approve else "declined"
    join.decided_at, join.decided_by_id = now, by.id
    if approve and not any(r.user_id == join.user_id for r in organisation.representatives):
        organisation.representatives.append(Representative(user_id=join.user_id, added_at=now, added_by_id=by.id))
    requester = join.user
    with force_locale(requester.locale or "sv"):
        outbox.queue(session, to=requester.email, now=now,
                     subject=_("Your request to join %(org)s", org=organisation.name),
                     body=(_("Your request to represent %(org)s has been approved.", org=organisation.name) if approve
                           else _("Your request to represent %(org)s has been declined.", org=organisation.name)))
    audit.record(session, actor=by, obj=organisation,
                 action="representative.join_approved" if approve else "representative.join_declined",
                 changes={"user": requester.email}, now=now)


def invite_representative(session: Session, organisation: Organisation, *, email: str, by: User, now: datetime,
                          base_url: str, valid_days: int) -> Invitation:
    """A representative invites another person; the link is single-use and expires."""
    email = checked_email(email)
    if any(r.user.email == email for r in organisation.representatives):
        raise Conflict(_("This person already represents the organisation."), field="email")
    token, token_hash = new_token()
    invitation = Invitation(organisation_id=organisation.id, email=email, token_hash=token_hash,
                            invited_by_id=by.id, created_at=now, expires_at=now + timedelta(days=valid_days))
    session.add(invitation)
    outbox.queue(session, to=email, now=now, subject=_("Invitation to represent %(org)s", org=organisation.name),
                 body=_("Hello,\n\n%(name)s invites you to represent %(org)s in the city's grants portal. Open this "
                        "link within %(days)s days; you can create an account there if you have none:\n\n%(url)s",
                        name=by.name, org=organisation.name, days=valid_days,
                        url=f"{base_url}/invitations/{token}"))
    audit.record(session, actor=by, action="representative.invited", obj=organisation,
                 changes={"email": email}, now=now)
    return invitation


def find_invitation(session: Session, token: str, now: datetime) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise NotFound(_("This invitation is no longer valid. Ask the organisation for a new one."))
    return invitation


def accept_invitation(session: Session, token: str, *, by: User, now: datetime) -> Organisation:
    invitation = find_invitation(session, token, now)
    require_confirmed(by)
    if invitation.email != by.email:
        raise PermissionDenied(_("This invitation was sent to another e-mail address. Log in with that address."))
    organisation = invitation.organisation
    invitation.accepted_at = now
    if not by.has_role(Role.APPLICANT):
        grant_role(session, by, Role.APPLICANT, None, by=by, now=now)
    if not any(r.user_id == by.id for r in organisation.representatives):
        organisation.representatives.append(
            Representative(user_id=by.id, added_at=now, added_by_id=invitation.invited_by_id))
    audit.record(session, actor=by, action="representative.added", obj=organisation,
                 changes={"user": by.email, "by": "invitation"}, now=now)
    return organisation


def remove_representative(session: Session, organisation: Organisation, representative_id: int, *, by: User,
                          now: datetime) -> None:
    """Remove a representative; never the last one, so the organisation is never orphaned."""
    rep = next((r for r in organisation.representatives if r.id == representative_id), None)
    if rep is None:
        raise NotFound(_("No such representative."))
    if len(organisation.representatives) <= 1:
        raise DomainError(_("The organisation must keep at least one representative. Invite another first."))
    email = rep.user.email
    organisation.representatives.remove(rep)
    audit.record(session, actor=by, action="representative.removed", obj=organisation,
                 changes={"user": email}, now=now)


# --- Democracy declaration -------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def publish_declaration_text(session: Session, *, text_sv: str, text_en: str, by: User | None,
                             now: datetime) -> DeclarationText:
    """A new version of the declaration. Texts are never edited; every organisation must sign anew."""
    if not (text_sv or "").strip():
        raise DomainError(_("Enter the Swedish text."), field="text_sv")
    if not (text_en or "").strip():
        raise DomainError(_("Enter the English text."), field="text_en")
    latest = session.scalar(select(DeclarationText.version).order_by(DeclarationText.version.desc()).limit(1)) or 0
    text = DeclarationText(version=latest + 1, text_sv=text_sv.strip(), text_en=text_en.strip(), published_at=now,
                           created_by_id=by.id if by else None)
    session.add(text)
    session.flush()
    audit.record(session, actor=by, action="declaration_text.published", obj=text,
                 changes={"version": text.version}, now=now)
    return text


def publish_default_declaration_text(session: Session, *, now: datetime) -> DeclarationText:
    """Version 1, built in, so that a new deployment can take signatures with nothing set up by hand."""
    from organisations.default_declaration import DECLARATION_EN, DECLARATION_SV

    return publish_declaration_text(session, text_sv=DECLARATION_SV, text_en=DECLARATION_EN, by=None, now=now)


def sign_declaration(session: Session, organisation: Organisation, *, by: User, board_member_id: int | None,
                     confirmed: bool, now: datetime, valid_months: int) -> DeclarationSignature:
    """Sign the current declaration text. Only for a board member marked as authorised signatory
    (firmatecknare): the signing user states which one they are."""
    from organisations.declarations import current_text

    require_confirmed(by)
    text = current_text(session) or publish_default_declaration_text(session, now=now)
    member = next((b for b in organisation.board_members if b.id == board_member_id), None)
    if member is None:
        raise DomainError(_("Choose the board member who signs."), field="board_member_id")
    if not member.authorised_signatory:
        raise DomainError(_("Only a board member authorised to sign for the organisation may sign."),
                          field="board_member_id")
    if not confirmed:
        raise DomainError(_("Tick the box to confirm the declaration."), field="confirm")
    signature = DeclarationSignature(
        organisation_id=organisation.id, text_id=text.id, signed_by_id=by.id, signatory_board_member_id=member.id,
        signatory_name=member.name, signed_at=now, expires_at=add_months(now, valid_months))
    session.add(signature)
    audit.record(session, actor=by, action="declaration.signed", obj=organisation,
                 changes={"version": text.version, "signatory": member.name,
                          "expires_at": signature.expires_at}, now=now)
    return signature


# --- Documents ------------------------------------------------------------------------------

def upload_document(session: Session, organisation: Organisation, *, by: User, kind: str, stream: BinaryIO | None,
                    original_name: str, year: int | None, now: datetime, upload_dir: str,
                    max_bytes: int) -> Document:
    if kind not in DOCUMENT_KINDS:
        raise DomainError(_("Choose the kind of document."), field="kind")
    if stream is None or not original_name:
        raise DomainError(_("Choose a file to upload."), field="file")
    return documents.add_document(session, organisation=organisation, stream=stream, original_name=original_name,
                                  kind=kind, by=by, now=now, upload_dir=upload_dir, max_bytes=max_bytes,
                                  year=year)


__all__ = [
    "register_applicant", "send_confirmation", "confirm_email", "register_organisation", "update_profile",
    "request_to_join", "decide_join_request", "invite_representative", "accept_invitation", "remove_representative",
    "publish_declaration_text", "sign_declaration", "upload_document", "ProfileData", "BoardRow",
    "format_org_number", "PaymentAccountType",
]
