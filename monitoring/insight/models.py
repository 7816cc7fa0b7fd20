"""Stored annual follow-up reports (the executive board's yearly follow-up, as PDF)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.models import Grant, Milestone, Tranche
from monitoring.models import GranteeReport
from portal.extensions import db

# Indexes for the dashboard's aggregates (monitoring.insight.figures), declared here beside the
# queries that need them (EXPLAIN on SQLite and PostgreSQL): money paid per grant reads only the
# index; partnerships and overlaps group grants by organisation and committee; the year filter;
# report timeliness and participants read milestones and reports from covering indexes.
Index("ix_tranche_status_grant_amount", Tranche.__table__.c.status, Tranche.__table__.c.grant_id,
      Tranche.__table__.c.amount)
Index("ix_grant_award_org_committee", Grant.__table__.c.organisation_id, Grant.__table__.c.committee_id)
Index("ix_grant_award_period", Grant.__table__.c.period_start, Grant.__table__.c.period_end)
_milestone, _report = Milestone.__table__.c, GranteeReport.__table__.c
Index("ix_milestone_plan_due_approved", _milestone.plan_id, _milestone.due_on, _milestone.report_approved_at)
Index("ix_grantee_report_milestone_handed_in", _report.milestone_id, _report.status, _report.submitted_at)
Index("ix_grantee_report_status_participants", _report.status, _report.grant_id, _report.participants_women,
      _report.participants_men, _report.participants_other)


class AnnualReport(db.Model):
    """One PDF per year; the January job makes the previous year's once, a coordinator may remake it."""

    __tablename__ = "annual_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    pdf: Mapped[bytes] = mapped_column(db.LargeBinary)
    generated_at: Mapped[datetime] = mapped_column(DateTime)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class InsightDataVersion(db.Model):
    """One row: a random token replaced by every committed transaction that changes a row the
    dashboard's figures read (monitoring.insight.cache), so a worker can tell in one primary-key
    query whether the figures it keeps are still true."""

    __tablename__ = "insight_data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
