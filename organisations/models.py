"""Organisation registry: profile, board, representatives, declaration, documents."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import User


class OrganisationStatus(str, enum.Enum):
    ACTIVE = "active"
    UNDER_NOTICE = "under_notice"  # a withdrawal case is open (kommunicering)
    BARRED = "barred"  # all support withdrawn until reinstated


class LegalForm(str, enum.Enum):
    NON_PROFIT_ASSOCIATION = "non_profit_association"  # ideell förening
    FOUNDATION = "foundation"  # stiftelse
    RELIGIOUS_COMMUNITY = "religious_community"  # trossamfund
    ECONOMIC_ASSOCIATION = "economic_association"  # ekonomisk förening
    OTHER = "other"


class PaymentAccountType(str, enum.Enum):
    BANKGIRO = "bankgiro"
    PLUSGIRO = "plusgiro"


class DocumentKind(str, enum.Enum):
    STATUTES = "statutes"  # stadgar
    ANNUAL_REPORT = "annual_report"  # verksamhetsberättelse
    ANNUAL_ACCOUNTS = "annual_accounts"  # årsbokslut
    AUDIT_REPORT = "audit_report"  # revisionsberättelse
    OTHER = "other"  # attachments to applications and reports


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (Index("ix_organisation_name", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_number: Mapped[str] = mapped_column(String(10), unique=True)  # 10 digits, no dash
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(40))
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    payment_account_type: Mapped[str | None] = mapped_column(String(20))
    payment_account: Mapped[str | None] = mapped_column(String(20))
    founding_year: Mapped[int | None] = mapped_column(Integer)
    members_women: Mapped[int] = mapped_column(Integer, default=0)
    members_men: Mapped[int] = mapped_column(Integer, default=0)
    members_other: Mapped[int] = mapped_column(Integer, default=0)  # other or not stated
    # Organisation names appear in the shared experience bank only with this consent.
    consents_to_name_in_experiences: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=OrganisationStatus.ACTIVE.value, index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    districts: Mapped[list[OrganisationDistrict]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin")
    board_members: Mapped[list[BoardMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="BoardMember.id")
    representatives: Mapped[list[Representative]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan")

    @property
    def is_barred(self) -> bool:
        return self.status == OrganisationStatus.BARRED.value

    @property
    def district_names(self) -> list[str]:
        return sorted(d.district for d in self.districts)


class OrganisationDistrict(db.Model):
    """A district where the organisation works (stadsdelsområde), by name."""

    __tablename__ = "organisation_district"
    __table_args__ = (UniqueConstraint("organisation_id", "district", name="uq_organisation_district_org_district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    district: Mapped[str] = mapped_column(String(100), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="districts")


class BoardMember(db.Model):
    __tablename__ = "board_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))  # chair, treasurer, secretary, member ...
    authorised_signatory: Mapped[bool] = mapped_column(Boolean, default=False)  # firmatecknare

    organisation: Mapped[Organisation] = relationship(back_populates="board_members")


class Representative(db.Model):
    """An applicant user who acts for the organisation."""

    __tablename__ = "representative"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_representative_org_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="representatives")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class JoinRequest(db.Model):
    """A second registration of an existing organisation number becomes a request to join,
    approved or declined by an existing representative."""

    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / approved / declined
    created_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invitation(db.Model):
    """A representative invites another person by e-mail; only the token's hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()


class DeclarationText(db.Model):
    """A version of the democracy declaration. Texts are never edited: a change is a new version."""

    __tablename__ = "declaration_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DeclarationSignature(db.Model):
    """An authorised signatory signed a version of the declaration for the organisation."""

    __tablename__ = "declaration_signature"
    __table_args__ = (Index("ix_declaration_signature_org_signed", "organisation_id", "signed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    text_id: Mapped[int] = mapped_column(ForeignKey("declaration_text.id"))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signatory_board_member_id: Mapped[int | None] = mapped_column(ForeignKey("board_member.id", ondelete="SET NULL"))
    signatory_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    text: Mapped[DeclarationText] = relationship(lazy="joined")
    signed_by: Mapped[User] = relationship()


class Document(db.Model):
    """An uploaded file, stored by content hash outside the web root."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_org_kind", "organisation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(120))
    original_name: Mapped[str] = mapped_column(String(255))
    year: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    uploaded_by: Mapped[User] = relationship()
