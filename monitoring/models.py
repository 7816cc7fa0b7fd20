"""Grantee reports, evaluations, shared experience, and the record of scheduled job runs."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models import EvaluationPoint, Grant, Milestone
from portal.extensions import db
from portal.models import Committee, User


class ReportStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # returned with comments; the organisation resubmits
    APPROVED = "approved"


class EvaluationStatus(str, enum.Enum):
    DUE = "due"  # created by the scheduler when the evaluation point falls due
    COMPLETED = "completed"


class Recommendation(str, enum.Enum):
    CONTINUE = "continue"
    SCALE_UP = "scale_up"
    CHANGE = "change"
    STOP = "stop"


class GranteeReport(db.Model):
    """Redovisning: the organisation's report for one milestone of the plan."""

    __tablename__ = "grantee_report"
    __table_args__ = (Index("ix_grantee_report_grant_status", "grant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_award.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT.value, index=True)
    activities: Mapped[str] = mapped_column(Text, default="")
    # {"women": {"0-17": 4, "18-25": 7, ...}, "men": {...}, "other": {...}, "not_stated": {...}}
    participants: Mapped[dict] = mapped_column(JSON, default=dict)
    # Denormalised totals for aggregate queries (dashboard, annual report) without reading JSON.
    participants_women: Mapped[int] = mapped_column(Integer, default=0)
    participants_men: Mapped[int] = mapped_column(Integer, default=0)
    participants_other: Mapped[int] = mapped_column(Integer, default=0)
    spent_total: Mapped[int] = mapped_column(BigInteger, default=0)  # öre
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    officer_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    grant: Mapped[Grant] = relationship()
    milestone: Mapped[Milestone] = relationship(lazy="joined")
    indicator_values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin")
    spending: Mapped[list[SpendingLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin")


class IndicatorValue(db.Model):
    """The actual value of one indicator in a report; by gender where the indicator is counted so."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id", name="uq_indicator_value_report_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grantee_report.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal] = mapped_column(db.Numeric(14, 2))
    value_women: Mapped[Decimal | None] = mapped_column(db.Numeric(14, 2))
    value_men: Mapped[Decimal | None] = mapped_column(db.Numeric(14, 2))
    value_other: Mapped[Decimal | None] = mapped_column(db.Numeric(14, 2))

    report: Mapped[GranteeReport] = relationship(back_populates="indicator_values")


class SpendingLine(db.Model):
    """Money spent against one budget line of the application."""

    __tablename__ = "spending_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grantee_report.id", ondelete="CASCADE"), index=True)
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)  # öre

    report: Mapped[GranteeReport] = relationship(back_populates="spending")


class ReportAttachment(db.Model):
    __tablename__ = "report_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grantee_report.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))


class Evaluation(db.Model):
    """Utvärdering by the granting committee, created when an evaluation point falls due."""

    __tablename__ = "evaluation"
    __table_args__ = (Index("ix_evaluation_committee_status", "committee_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grant_award.id", ondelete="CASCADE"), index=True)
    # One evaluation per evaluation point: the unique key makes the scheduler's job idempotent.
    evaluation_point_id: Mapped[int] = mapped_column(ForeignKey("evaluation_point.id", ondelete="CASCADE"),
                                                     unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    status: Mapped[str] = mapped_column(String(20), default=EvaluationStatus.DUE.value)
    due_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5 overall goal attainment
    # [{"indicator_id": 1, "target": "40", "actual": "35", "actual_women": ..., "note": "..."}]
    attainment: Mapped[list] = mapped_column(JSON, default=list)
    attainment_share: Mapped[Decimal | None] = mapped_column(db.Numeric(6, 3))  # mean actual/target, for aggregates
    what_worked: Mapped[str] = mapped_column(Text, default="")
    what_did_not: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(20))
    share: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    grant: Mapped[Grant] = relationship(lazy="joined")
    evaluation_point: Mapped[EvaluationPoint] = relationship()
    committee: Mapped[Committee] = relationship()


class Experience(db.Model):
    """Erfarenhet: a shared lesson from an evaluation, searchable by every committee. Holds no
    personal data; the organisation is named only if it agreed."""

    __tablename__ = "experience"
    __table_args__ = (Index("ix_experience_published_area", "published", "action_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation.id", ondelete="SET NULL"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    what_worked: Mapped[str] = mapped_column(Text, default="")
    what_did_not: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(20))
    rating: Mapped[int | None] = mapped_column(Integer)
    action_area: Mapped[str] = mapped_column(String(20))
    target_group: Mapped[str] = mapped_column(String(200), default="", index=True)
    method: Mapped[str] = mapped_column(String(200), default="", index=True)
    district: Mapped[str] = mapped_column(String(100), default="", index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    organisation_named: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    committee: Mapped[Committee] = relationship(lazy="joined")


class JobRun(db.Model):
    """One run of a scheduled job: what ran, for which 'now', and what it did."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    run_for: Mapped[datetime] = mapped_column(DateTime)  # the "now" the job was run with
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class SchedulerLock(db.Model):
    """A lease row that lets exactly one scheduler run per deployment."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
