"""Scheduler entry points, thin: they call the services and own the transaction.

Register with the scheduler registry (monitoring/scheduler.py):
    register_job(app, "annual_report", generate_annual_report_job)
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitoring.insight.annual import generate_annual_report
from monitoring.insight.models import AnnualReport


def generate_annual_report_job(session: Session, now: datetime) -> dict:
    """Scheduler job: in January, make the previous year's report once. Idempotent: a second run
    (or a run after a crash) finds the stored report and does nothing."""
    if now.month != 1:
        return {"generated": False, "reason": "not January"}
    year = now.year - 1
    if session.scalar(select(AnnualReport.id).where(AnnualReport.year == year)) is not None:
        return {"generated": False, "year": year, "reason": "already stored"}
    try:
        generate_annual_report(session, year, by=None, now=now)
        session.commit()
    except IntegrityError:  # another run stored it in the meantime
        session.rollback()
        return {"generated": False, "year": year, "reason": "already stored"}
    except Exception:  # nothing half-saved: the next run starts again
        session.rollback()
        raise
    return {"generated": True, "year": year}
