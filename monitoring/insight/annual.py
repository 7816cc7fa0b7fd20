"""The annual follow-up report: the executive board's yearly follow-up of every committee's grants
(guidelines: kommunstyrelsen follows up all the city's work once a year)."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitoring.insight import figures
from monitoring.insight.figures import Filters
from monitoring.insight.models import AnnualReport
from monitoring.models import Experience
from portal import audit
from portal.errors import DomainError
from portal.models import User
from portal.pdf import render_pdf


class InvalidYear(DomainError):
    pass


def report_data(session: Session, year: int, today: date) -> dict:
    """Everything the PDF shows for one year, each part from one aggregate query."""
    f = Filters(year=year)
    money = figures.money(session, f, "committee_area")
    people = {r["key"]: r for r in figures.participants(session, f, "committee_area")}
    evals = {r["key"]: r for r in figures.evaluations(session, f, "committee_area")}
    rows = []
    for r in money:
        p = people.get(r["key"], {"women": 0, "men": 0, "other": 0})
        e = evals.get(r["key"], {"evaluations": 0, "attainment": None, "rating": None})
        rows.append({"committee": r["key"][0], "area": r["key"][1], **r, "women": p["women"], "men": p["men"],
                     "other": p["other"], "evaluations": e["evaluations"], "attainment": e["attainment"],
                     "rating": e["rating"]})
    totals = {k: sum(r[k] for r in rows) for k in ("grants", "granted", "paid", "withdrawn", "withdrawn_amount",
                                                   "women", "men", "other", "evaluations")}
    limit = current_app.config["ANNUAL_REPORT_LESSONS"]
    lessons = session.scalars(
        select(Experience)
        .where(Experience.published.is_(True),
               Experience.created_at >= datetime(year, 1, 1), Experience.created_at < datetime(year + 1, 1, 1))
        .order_by(Experience.rating.is_(None), Experience.rating.desc(), Experience.created_at.desc())
        .limit(limit)).all()
    return {"year": year, "rows": rows, "totals": totals, "statuses": figures.statuses(session, f),
            "reports": figures.report_timeliness(session, f, today), "lessons": lessons}


def render_annual_report(session: Session, year: int, now: datetime) -> bytes:
    data = report_data(session, year, now.date())
    # The board reads Swedish whatever the language of the coordinator who asked.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if has_request_context():
            return render_pdf("monitoring/insight/annual_report_pdf.html", generated_at=now, **data)
        # The scheduler has no request; the layout's context processors expect one (current_user).
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            return render_pdf("monitoring/insight/annual_report_pdf.html", generated_at=now, **data)


def generate_annual_report(session: Session, year: int, *, by: User | None, now: datetime) -> AnnualReport:
    """Make (or remake) the stored report for `year`. Only finished years or the current one."""
    if year < 2000 or year > now.year:
        raise InvalidYear(_("Choose a year that has begun."), field="year")
    pdf = render_annual_report(session, year, now)
    report = session.scalar(select(AnnualReport).where(AnnualReport.year == year))
    action = "annual_report.regenerated" if report else "annual_report.generated"
    if report is None:
        report = AnnualReport(year=year)
        session.add(report)
    report.pdf = pdf
    report.generated_at = now
    report.generated_by_id = by.id if by else None
    session.flush()
    audit.record(session, actor=by, action=action, obj=report, changes={"year": year}, now=now)
    return report
