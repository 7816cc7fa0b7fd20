"""Stored annual follow-up reports (the executive board's yearly follow-up, as PDF)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class AnnualReport(db.Model):
    """One PDF per year; the January job makes the previous year's once, a coordinator may remake it."""

    __tablename__ = "annual_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    pdf: Mapped[bytes] = mapped_column(db.LargeBinary)
    generated_at: Mapped[datetime] = mapped_column(DateTime)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
