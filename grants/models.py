"""Programmes, applications, reviews, decisions, follow-up plans, grants and payments.

Money is integer öre (BigInteger) everywhere, never float."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organisations.models import Document, Organisation
from portal.extensions import db
from portal.models import Committee, User


class ActionArea(str, enum.Enum):
    """The guidelines' three åtgärdsområden."""

    GENERAL = "general"  # allmänna och demokratifrämjande insatser
    TARGETED = "targeted"  # riktade och förebyggande insatser
    INDIVIDUAL = "individual"  # individinsatser: avhoppare, drabbade, anhöriga


class ProgrammeStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class ApplicationStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"  # returned for completion; the applicant resubmits
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"  # by the applicant
    CLOSED_INELIGIBLE = "closed_ineligible"


# Submitted and not yet decided: reviewed, assigned, returned for completion, planned and decided
# only in these states (Application.is_under_review).
REVIEWABLE_STATUSES = (ApplicationStatus.SUBMITTED.value, ApplicationStatus.IN_REVIEW.value)

OPEN_APPLICATION_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW,
                             ApplicationStatus.RETURNED)


class DecisionOutcome(str, enum.Enum):
    APPROVE = "approve"
    PARTLY_APPROVE = "partly_approve"
    REJECT = "reject"


class GrantStatus(str, enum.Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class TrancheStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    RELEASED = "released"
    PAID = "paid"
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # a confirmed finding stopped it (grants.payment_stop); resumed when lifted


class MilestoneKind(str, enum.Enum):
    INTERIM = "interim"
    FINAL = "final"
    FINANCIAL = "financial"


class RepaymentStatus(str, enum.Enum):
    PROPOSED = "proposed"  # suggested by a withdrawal; a person confirms it
    RAISED = "raised"
    PAID = "paid"
    WAIVED = "waived"


class Programme(db.Model):
    """Bidragsutlysning: a committee's call for applications."""

    __tablename__ = "programme"
    __table_args__ = (Index("ix_programme_status_dates", "status", "opens_on", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    action_area: Mapped[str] = mapped_column(String(20), index=True)
    target_groups: Mapped[list] = mapped_column(JSON, default=list)
    districts: Mapped[list] = mapped_column(JSON, default=list)
    budget: Mapped[int] = mapped_column(BigInteger)  # öre
    max_per_grant: Mapped[int] = mapped_column(BigInteger)  # öre
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # How often grantees report: e.g. "final" or "interim_final" (interim halfway, then final).
    reporting_rhythm: Mapped[str] = mapped_column(String(30), default="interim_final")
    status: Mapped[str] = mapped_column(String(20), default=ProgrammeStatus.DRAFT.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    committee: Mapped[Committee] = relationship(lazy="joined")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Criterion.position", lazy="selectin")

    @property
    def is_draft(self) -> bool:
        """Still being written: only a draft is published (publish_programme, the programme page)."""
        return self.status == ProgrammeStatus.DRAFT.value

    @hybrid_method
    def is_open_on(self, today: date):
        """Open for applications: published, and `today` lies between its opening and closing
        dates, both included. The one definition: on a programme it gives a bool, on the class a
        SQL condition (the public list, the API, starting an application and the closing job)."""
        return (self.status == ProgrammeStatus.PUBLISHED.value) & (self.opens_on <= today) & (self.closes_on >= today)

    @hybrid_method
    def has_ended_on(self, today: date):
        """Published but past its closing date: what the closing job closes (is_open_on's other side)."""
        return (self.status == ProgrammeStatus.PUBLISHED.value) & (self.closes_on < today)

    @classmethod
    def covers_district(cls, district: str):
        """SQL: one of the programme's districts is `district`, the whole name, in any letter case
        (SQLite's LIKE ignores case, so PostgreSQL's must too). The list is stored as JSON text on
        both databases (json, not jsonb), which may spell "å" as an escape: both spellings of the
        element, with its quotes, are tried."""
        from sqlalchemy import cast, or_

        def element(spelling: str):
            escaped = spelling.replace("!", "!!").replace("%", "!%").replace("_", "!_")
            return cast(cls.districts, String).ilike(f"%{escaped}%", escape="!")

        # SQL folds the case of A-Z only, and not at all inside an escape such as \\u00d6, so the
        # usual spellings of a name (as typed, lower case, capitalised) are each tried as well.
        spellings = {district, district.lower(), district.title()}
        return or_(*(element(json.dumps(name, ensure_ascii=ascii_only)) for name in sorted(spellings)
                     for ascii_only in (False, True)))


class Criterion(db.Model):
    """An assessment criterion with its weight."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)

    programme: Mapped[Programme] = relationship(back_populates="criteria")


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_programme_status", "programme_id", "status"),
        Index("ix_application_org_status", "organisation_id", "status"),
        # The staff's list, newest first: read in index order and stopped at a page, not sorted whole.
        Index("ix_application_submitted", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)  # given at first submission
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    aims: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(200), default="")
    target_group: Mapped[str] = mapped_column(String(200), default="")
    # {"women": {"0-17": 10, "18-25": 5, ...}, "men": {...}, "other": {...}, "not_stated": {...}}
    expected_participants: Mapped[dict] = mapped_column(JSON, default=dict)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    requested_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # öre
    partners: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default=ApplicationStatus.DRAFT.value)
    last_step: Mapped[int] = mapped_column(Integer, default=1)  # where the draft was left
    return_message: Mapped[str | None] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Optimistic locking: a write that started from an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    programme: Mapped[Programme] = relationship(lazy="joined")
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="BudgetLine.id")
    attachments: Mapped[list[ApplicationAttachment]] = relationship(cascade="all, delete-orphan")
    reviews: Mapped[list[Review]] = relationship(back_populates="application", cascade="all, delete-orphan")
    decision: Mapped[Decision | None] = relationship(back_populates="application", uselist=False)
    plan: Mapped[FollowUpPlan | None] = relationship(back_populates="application", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_under_review(self) -> bool:
        """Submitted and not yet decided: the states in which officers review, assign, return and
        plan, and decision makers decide."""
        return self.status in REVIEWABLE_STATUSES


class BudgetLine(db.Model):
    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[int] = mapped_column(BigInteger)  # öre, total cost of the line
    own_funding: Mapped[int] = mapped_column(BigInteger, default=0)
    other_funding: Mapped[int] = mapped_column(BigInteger, default=0)

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class ApplicationAttachment(db.Model):
    __tablename__ = "application_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))

    document: Mapped[Document] = relationship(lazy="joined")


class Review(db.Model):
    """An officer's review. The conflict-of-interest (jäv) declaration comes first; a declared
    conflict blocks scoring."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", name="uq_review_application_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    has_conflict: Mapped[bool | None] = mapped_column(Boolean)  # None: not yet declared
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime | None] = mapped_column(DateTime)
    recommendation: Mapped[str | None] = mapped_column(String(20))  # approve / partly_approve / reject
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    application: Mapped[Application] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                     lazy="selectin")


class ReviewScore(db.Model):
    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id", name="uq_review_score_review_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)  # 0..5
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


class FollowUpPlan(db.Model):
    """Uppföljningsplan: made explicit with the decision. Complete = at least one indicator, a final
    report due no later than the configured days after the grant ends, at least one evaluation
    point, and a responsible officer."""

    __tablename__ = "follow_up_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    responsible_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship(back_populates="plan")
    responsible_officer: Mapped[User | None] = relationship(lazy="joined")
    indicators: Mapped[list[Indicator]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="Indicator.id", lazy="selectin")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="Milestone.due_on", lazy="selectin")
    evaluation_points: Mapped[list[EvaluationPoint]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="EvaluationPoint.due_on", lazy="selectin")


class Indicator(db.Model):
    """An objective with a measurable indicator."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("follow_up_plan.id", ondelete="CASCADE"), index=True)
    objective: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    baseline: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    by_gender: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[FollowUpPlan] = relationship(back_populates="indicators")


class Milestone(db.Model):
    """A report the grantee owes: interim, final or financial, with its due date."""

    __tablename__ = "milestone"
    __table_args__ = (Index("ix_milestone_due", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("follow_up_plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    # Kept by monitoring, which owns the reports, so that grants and eligibility can read a report's
    # state without importing monitoring. Handed in: set when the report is submitted, cleared when it
    # is returned for completion (grants.followup.report_overdue reads it). Approved: tranches with the
    # condition "milestone_approved" wait for it.
    report_handed_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    report_approved_at: Mapped[datetime | None] = mapped_column(DateTime)

    plan: Mapped[FollowUpPlan] = relationship(back_populates="milestones")


class EvaluationPoint(db.Model):
    """A date when the granting committee evaluates the grant."""

    __tablename__ = "evaluation_point"
    __table_args__ = (Index("ix_evaluation_point_due", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("follow_up_plan.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300), default="")

    plan: Mapped[FollowUpPlan] = relationship(back_populates="evaluation_points")


class Decision(db.Model):
    """Beslut. One per application; the letter (PDF) is stored with it."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)  # öre; 0 when rejected
    conditions: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[str] = mapped_column(Text)
    appeal_info: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screening.id"))  # the screening relied on
    letter_locale: Mapped[str] = mapped_column(String(5), default="sv")
    # Tens of kilobytes, read only by the letter download: not loaded with every decision.
    letter_pdf: Mapped[bytes | None] = mapped_column(db.LargeBinary, deferred=True)

    application: Mapped[Application] = relationship(back_populates="decision")
    decided_by: Mapped[User] = relationship(lazy="joined")


class Grant(db.Model):
    """Bidrag: created by an approving decision."""

    __tablename__ = "grant_award"  # "grant" is an SQL keyword
    __table_args__ = (
        Index("ix_grant_award_org_status", "organisation_id", "status"),
        Index("ix_grant_award_committee_status", "committee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # öre
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=GrantStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    committee: Mapped[Committee] = relationship(lazy="joined")
    tranches: Mapped[list[Tranche]] = relationship(back_populates="grant", cascade="all, delete-orphan",
                                                   order_by="Tranche.due_on", lazy="selectin")
    repayment_claims: Mapped[list[RepaymentClaim]] = relationship(back_populates="grant",
                                                                  cascade="all, delete-orphan",
                                                                  order_by="RepaymentClaim.id")


class Tranche(db.Model):
    """A payment: scheduled -> released -> paid, or cancelled; stopped by a confirmed finding (grants.payment_stop)
    until it is lifted. Its condition may wait for a report."""

    __tablename__ = "tranche"
    __table_args__ = (Index("ix_tranche_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_award.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)  # öre
    # "none" or "milestone_approved": released only after the report for condition_milestone is approved
    condition: Mapped[str] = mapped_column(String(30), default="none")
    condition_milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"))
    status: Mapped[str] = mapped_column(String(20), default=TrancheStatus.SCHEDULED.value)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime)

    grant: Mapped[Grant] = relationship(back_populates="tranches")
    condition_milestone: Mapped[Milestone | None] = relationship()


class RepaymentClaim(db.Model):
    """Återkrav."""

    __tablename__ = "repayment_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_award.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # öre
    reason: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=RepaymentStatus.PROPOSED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # proposed -> raised (sent to the organisation) -> paid, or waived (with a reason) before it is paid.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    waived_at: Mapped[datetime | None] = mapped_column(DateTime)
    waiver_reason: Mapped[str | None] = mapped_column(Text)

    grant: Mapped[Grant] = relationship(back_populates="repayment_claims")


class PaymentStop(db.Model):
    """A stop-payment decision (grants.payment_stop): a confirmed finding stopped a grant's unpaid
    tranches at once. Kept with its letter; lifted when the finding is."""

    __tablename__ = "payment_stop"
    __table_args__ = (UniqueConstraint("grant_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_award.id", ondelete="CASCADE"), index=True)
    # The finding table belongs to eligibility (a lower layer), read here by id.
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    stopped_at: Mapped[datetime] = mapped_column(DateTime)
    stopped_amount: Mapped[int] = mapped_column(BigInteger)  # öre not paid out because of the stop
    letter_locale: Mapped[str] = mapped_column(String(5))
    letter_pdf: Mapped[bytes | None] = mapped_column(db.LargeBinary, deferred=True)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)

    grant: Mapped[Grant] = relationship(lazy="joined")
