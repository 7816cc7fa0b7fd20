"""Rule sets and screenings (the contract other packages read). Findings and withdrawal
cases live here too."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organisations.models import Organisation
from portal.extensions import db
from portal.models import Committee, User


class RuleOutcome(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_ASSESSMENT = "needs_assessment"


class ScreeningOutcome(str, enum.Enum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_ASSESSMENT = "needs_assessment"  # an officer must resolve one or more rules


class RuleSet(db.Model):
    """A versioned list of rules. Immutable once a screening has used it."""

    __tablename__ = "rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # [{"id": "statutes_on_file", "params": {...}}, ...]: which rules, in which order, with what settings
    rules: Mapped[list] = mapped_column(JSON)
    # An approval needs an eligible screening no older than this.
    validity_days: Mapped[int] = mapped_column(Integer, default=30)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Screening(db.Model):
    """One run of a rule set over an organisation, and optionally one of its applications."""

    __tablename__ = "screening"
    __table_args__ = (
        Index("ix_screening_org_run", "organisation_id", "run_at"),
        Index("ix_screening_application_run", "application_id", "run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # The application table belongs to grants (a higher layer): referenced by id only.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    trigger: Mapped[str] = mapped_column(String(30))  # submitted / decision / manual / batch
    run_at: Mapped[datetime] = mapped_column(DateTime)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Outcome after officers' resolutions; recomputed when a needs-assessment rule is resolved.
    outcome: Mapped[str] = mapped_column(String(30))

    organisation: Mapped[Organisation] = relationship()
    rule_set: Mapped[RuleSet] = relationship(lazy="joined")
    results: Mapped[list[ScreeningResult]] = relationship(
        back_populates="screening", cascade="all, delete-orphan", order_by="ScreeningResult.position",
        lazy="selectin")

    @property
    def is_eligible(self) -> bool:
        return self.outcome == ScreeningOutcome.ELIGIBLE.value


class ScreeningResult(db.Model):
    """One rule's outcome in a screening, with the evidence it read."""

    __tablename__ = "screening_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(60))
    requirement: Mapped[str] = mapped_column(String(40))  # democracy, human_rights, gender_equality, ...
    outcome: Mapped[str] = mapped_column(String(30))  # as the engine found it
    evidence: Mapped[dict] = mapped_column(JSON)
    # An officer's resolution of a needs-assessment outcome: pass or fail, with a reason.
    resolved_outcome: Mapped[str | None] = mapped_column(String(30))
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    screening: Mapped[Screening] = relationship(back_populates="results")

    @property
    def effective_outcome(self) -> str:
        return self.resolved_outcome or self.outcome


class FindingCategory(str, enum.Enum):
    """The shapes of conduct in the democracy conditions (DESIGN.md)."""

    VIOLENCE = "violence"  # uses violence, coercion or threats
    INCITEMENT = "incitement"  # incites, encourages or justifies them
    DISCRIMINATION = "discrimination"  # discriminates or violates others' equal worth
    ANTI_DEMOCRATIC = "anti_democratic"  # otherwise acts against the democratic order
    ASSOCIATION = "association"  # samröre with an actor acting in these ways


# A confirmed finding in these categories is "encouraging violence": it opens a withdrawal case.
WITHDRAWAL_CATEGORIES = frozenset({FindingCategory.VIOLENCE.value, FindingCategory.INCITEMENT.value})


class FindingActor(str, enum.Enum):
    ORGANISATION = "organisation"
    BOARD_MEMBER = "board_member"
    EMPLOYEE = "employee"
    VOLUNTEER = "volunteer"


class FindingSource(str, enum.Enum):
    OWN_OBSERVATION = "own_observation"
    MEDIA = "media"
    POLICE = "police"
    OTHER_AUTHORITY = "other_authority"
    PUBLIC_TIP = "public_tip"
    OTHER = "other"


class FindingStatus(str, enum.Enum):
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Finding(db.Model):
    """Iakttagelse: a report of conduct. Details are for coordinators only."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The committee the reporter works for (None when a coordinator reports).
    reporting_committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    conduct_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    actor_kind: Mapped[str] = mapped_column(String(30))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    board_member_id: Mapped[int | None] = mapped_column(ForeignKey("board_member.id", ondelete="SET NULL"))
    source_category: Mapped[str] = mapped_column(String(30))
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=FindingStatus.REPORTED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime)
    assessment_reason: Mapped[str | None] = mapped_column(Text)
    # A confirmed finding stops all money to the organisation until it is lifted (eligibility.money_gate):
    # when its withdrawal case is closed without withdrawal, or the organisation is reinstated.
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id], lazy="joined")
    reporting_committee: Mapped[Committee | None] = relationship(lazy="joined")
    attachments: Mapped[list[FindingAttachment]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="FindingAttachment.id")

    @property
    def awaits_assessment(self) -> bool:
        """Reported and not yet confirmed or dismissed: assess_finding and the finding page ask this."""
        return self.status == FindingStatus.REPORTED.value


class FindingAttachment(db.Model):
    """Evidence filed with a finding. Stored by content hash like an organisation's documents, but
    never one of them: the organisation and the committees must not see it. Coordinators only."""

    __tablename__ = "finding_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(120))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    finding: Mapped[Finding] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()


class CaseStatus(str, enum.Enum):
    OPEN = "open"  # notice given, waiting for the reply deadline
    WITHDRAWN = "withdrawn"  # all support withdrawn; organisation barred
    CLOSED = "closed"  # closed without withdrawal


class WithdrawalCase(db.Model):
    """Indragning: opened by a confirmed finding of violence or incitement."""

    __tablename__ = "withdrawal_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN.value, index=True)
    grounds: Mapped[str] = mapped_column(Text)
    conduct_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reply_deadline: Mapped[datetime] = mapped_column(DateTime)
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    reinstated_at: Mapped[datetime | None] = mapped_column(DateTime)
    reinstated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reinstatement_reason: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    finding: Mapped[Finding] = relationship(lazy="joined")

    # The reply period (kommunicering, förvaltningslagen 25 §): the one definition that the notice
    # page, the case page, the API and the services (reply_to_notice, decide_case) all ask.
    @property
    def is_open(self) -> bool:
        """Not yet decided: it takes replies until the deadline and a decision after it."""
        return self.status == CaseStatus.OPEN.value

    def takes_replies(self, now: datetime) -> bool:
        """The organisation may reply: the case is open and the deadline, included, has not passed."""
        return self.is_open and now <= self.reply_deadline

    def reply_period_over(self, now: datetime) -> bool:
        """The deadline has passed, so a coordinator may decide (never while a reply may still come)."""
        return now > self.reply_deadline
