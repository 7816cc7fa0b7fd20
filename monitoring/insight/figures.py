"""The coordinator's figures across committees, each computed by the database.

Every function here issues one aggregate query (GROUP BY), whatever the number of grants, so the
dashboard and the annual report cost the same number of queries at 10 or 10,000 grants. Money is
integer öre. Definitions (shown to users as hints on the dashboard):

- A grant belongs to a year when its period overlaps that year.
- "Granted" is the awarded amount of every grant, withdrawn ones included (they were awarded);
  "paid" is the sum of its tranches marked paid.
- A grant counts in every district where its organisation works, so district rows may add up to
  more than the total.
- Participants are the totals of approved grantee reports (each report counts its own period).
- A report is on time when it was handed in (submitted or approved) on or before its due date;
  late when after; overdue as grants.followup.report_overdue says (still owed after the due
  date). A withdrawn grant owes no reports, so its milestones are not counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session, aliased

from grants.followup import milestone_overdue
from grants.models import FollowUpPlan, Grant, GrantStatus, Milestone, Programme, Tranche, TrancheStatus
from monitoring.models import Evaluation, EvaluationStatus, GranteeReport, ReportStatus
from organisations.models import Organisation, OrganisationDistrict
from portal.models import Committee

GROUPS = ("committee", "area", "district", "committee_area")


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    committee_id: int | None = None
    action_area: str | None = None
    district: str | None = None


def _where(f: Filters, grant=Grant) -> list:
    """The filter as WHERE conditions on one (possibly aliased) grant entity."""
    conditions = []
    if f.year:
        conditions += [grant.period_start <= date(f.year, 12, 31), grant.period_end >= date(f.year, 1, 1)]
    if f.committee_id:
        conditions.append(grant.committee_id == f.committee_id)
    if f.action_area:
        conditions.append(grant.programme_id.in_(select(Programme.id).where(Programme.action_area == f.action_area)))
    if f.district:
        conditions.append(grant.organisation_id.in_(
            select(OrganisationDistrict.organisation_id).where(OrganisationDistrict.district == f.district)))
    return conditions


def _group_by(stmt, group: str):
    """Join what the grouping needs onto a statement that already has Grant; return (stmt, keys)."""
    if group == "committee":
        return stmt.join(Committee, Committee.id == Grant.committee_id), [Committee.name]
    if group == "area":
        return stmt.join(Programme, Programme.id == Grant.programme_id), [Programme.action_area]
    if group == "district":
        return (stmt.join(OrganisationDistrict, OrganisationDistrict.organisation_id == Grant.organisation_id),
                [OrganisationDistrict.district])
    if group == "committee_area":
        stmt = stmt.join(Committee, Committee.id == Grant.committee_id).join(Programme,
                                                                              Programme.id == Grant.programme_id)
        return stmt, [Committee.name, Programme.action_area]
    raise ValueError(f"unknown grouping {group!r}")


def _decimal(value, places: str = "0.001") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places))


def money(session: Session, f: Filters, group: str) -> list[dict]:
    """Grants, granted, paid and withdrawn per group: [{"key": (..), "grants", "granted", "paid",
    "withdrawn", "withdrawn_amount"}], ordered by the key."""
    paid = (select(Tranche.grant_id, func.sum(Tranche.amount).label("paid"))
            .where(Tranche.status == TrancheStatus.PAID.value).group_by(Tranche.grant_id).subquery())
    is_withdrawn = Grant.status == GrantStatus.WITHDRAWN.value
    stmt = select(Grant.id).select_from(Grant)
    stmt, keys = _group_by(stmt, group)
    stmt = (stmt.outerjoin(paid, paid.c.grant_id == Grant.id)
            .with_only_columns(*keys, func.count(Grant.id), func.coalesce(func.sum(Grant.amount), 0),
                               func.coalesce(func.sum(paid.c.paid), 0),
                               func.coalesce(func.sum(case((is_withdrawn, 1), else_=0)), 0),
                               func.coalesce(func.sum(case((is_withdrawn, Grant.amount), else_=0)), 0))
            .where(*_where(f)).group_by(*keys).order_by(*keys))
    n = len(keys)
    return [{"key": tuple(row[:n]), "grants": row[n], "granted": int(row[n + 1]), "paid": int(row[n + 2]),
             "withdrawn": int(row[n + 3]), "withdrawn_amount": int(row[n + 4])}
            for row in session.execute(stmt)]


def statuses(session: Session, f: Filters) -> dict[str, int]:
    """Number of grants active, completed and withdrawn."""
    stmt = select(Grant.status, func.count(Grant.id)).where(*_where(f)).group_by(Grant.status)
    counts = {s.value: 0 for s in GrantStatus}
    counts.update({status: n for status, n in session.execute(stmt)})
    return counts


REPORT_CATEGORIES = ("on_time", "late", "overdue", "not_due")


def report_timeliness(session: Session, f: Filters, today: date) -> dict[str, int]:
    """Reports owed on the filtered grants (milestones of their plans; a withdrawn grant owes none):
    on time, late, overdue (grants.followup.report_overdue), not yet due."""
    handed_in = Milestone.report_handed_in_at
    category = case(
        (milestone_overdue(today), "overdue"),
        (handed_in.is_(None), "not_due"),
        (func.date(handed_in) <= Milestone.due_on, "on_time"),
        else_="late",
    )
    inner = (select(category.label("category"))
             .select_from(Milestone)
             .join(FollowUpPlan, FollowUpPlan.id == Milestone.plan_id)
             .join(Grant, Grant.application_id == FollowUpPlan.application_id)
             .where(Grant.status != GrantStatus.WITHDRAWN.value, *_where(f)).subquery())
    # Grouped outside: PostgreSQL cannot match a CASE with bound parameters in SELECT and GROUP BY.
    stmt = select(inner.c.category, func.count()).group_by(inner.c.category)
    counts = {c: 0 for c in REPORT_CATEGORIES}
    counts.update({c: n for c, n in session.execute(stmt)})
    return counts


def participants(session: Session, f: Filters, group: str | None = None) -> list[dict]:
    """Participants by gender from approved reports, in total (group None) or per group."""
    stmt = select(GranteeReport.id).select_from(GranteeReport).join(Grant, Grant.id == GranteeReport.grant_id)
    keys = []
    if group:
        stmt, keys = _group_by(stmt, group)
    stmt = (stmt.with_only_columns(*keys, func.coalesce(func.sum(GranteeReport.participants_women), 0),
                                   func.coalesce(func.sum(GranteeReport.participants_men), 0),
                                   func.coalesce(func.sum(GranteeReport.participants_other), 0))
            .where(GranteeReport.status == ReportStatus.APPROVED.value, *_where(f)))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    n = len(keys)
    return [{"key": tuple(row[:n]), "women": int(row[n]), "men": int(row[n + 1]), "other": int(row[n + 2])}
            for row in session.execute(stmt)]


def evaluations(session: Session, f: Filters, group: str) -> list[dict]:
    """Completed evaluations per group, with mean indicator attainment (share of target reached)
    and mean rating (1-5)."""
    stmt = select(Evaluation.id).select_from(Evaluation).join(Grant, Grant.id == Evaluation.grant_id)
    stmt, keys = _group_by(stmt, group)
    stmt = (stmt.with_only_columns(*keys, func.count(Evaluation.id), func.avg(Evaluation.attainment_share),
                                   func.avg(Evaluation.rating))
            .where(Evaluation.status == EvaluationStatus.COMPLETED.value, *_where(f))
            .group_by(*keys).order_by(*keys))
    n = len(keys)
    return [{"key": tuple(row[:n]), "evaluations": row[n], "attainment": _decimal(row[n + 1]),
             "rating": _decimal(row[n + 2], "0.1")} for row in session.execute(stmt)]


def ratings(session: Session, f: Filters) -> dict[int, int]:
    """How many completed evaluations got each rating 1-5."""
    stmt = (select(Evaluation.rating, func.count(Evaluation.id)).join(Grant, Grant.id == Evaluation.grant_id)
            .where(Evaluation.status == EvaluationStatus.COMPLETED.value, Evaluation.rating.is_not(None),
                   *_where(f))
            .group_by(Evaluation.rating))
    counts = {r: 0 for r in range(1, 6)}
    counts.update({r: n for r, n in session.execute(stmt)})
    return counts


def partnerships(session: Session, f: Filters) -> list[dict]:
    """Organisations funded by more than one committee, with those committees."""
    several = (select(Grant.organisation_id).where(*_where(f)).group_by(Grant.organisation_id)
               .having(func.count(distinct(Grant.committee_id)) > 1))
    stmt = (select(Organisation.id, Organisation.name, Committee.name).select_from(Grant)
            .join(Organisation, Organisation.id == Grant.organisation_id)
            .join(Committee, Committee.id == Grant.committee_id)
            .where(Grant.organisation_id.in_(several), *_where(f))
            .distinct().order_by(Organisation.name, Organisation.id, Committee.name))
    result: list[dict] = []
    for org_id, org_name, committee_name in session.execute(stmt):
        if not result or result[-1]["id"] != org_id:
            result.append({"id": org_id, "organisation": org_name, "committees": []})
        result[-1]["committees"].append(committee_name)
    return result


def _several_committees(f: Filters):
    """Organisations funded by more than one committee under the filter, with how many."""
    n = func.count(distinct(Grant.committee_id))
    return (select(Grant.organisation_id.label("organisation_id"), n.label("committees"))
            .where(*_where(f)).group_by(Grant.organisation_id).having(n > 1).subquery())


def partnerships_count(session: Session, f: Filters) -> int:
    """How many organisations partnerships() lists."""
    return session.scalar(select(func.count()).select_from(_several_committees(f)))


def partnerships_page(session: Session, f: Filters, *, limit: int, offset: int = 0) -> list[dict]:
    """One page of partnerships(): the organisations funded by the most committees first (then by
    name), in two queries whatever the page size or the data (the second even for an empty page), so
    the dashboard never renders every row."""
    several = _several_committees(f)
    page = session.execute(
        select(Organisation.id, Organisation.name).join(several, several.c.organisation_id == Organisation.id)
        .order_by(several.c.committees.desc(), Organisation.name, Organisation.id)
        .limit(limit).offset(offset)).all()
    result = {org_id: {"id": org_id, "organisation": name, "committees": []} for org_id, name in page}
    names = (select(Grant.organisation_id, Committee.name).join(Committee, Committee.id == Grant.committee_id)
             .where(Grant.organisation_id.in_(list(result)), *_where(f))
             .distinct().order_by(Grant.organisation_id, Committee.name))
    for org_id, committee_name in session.execute(names):
        result[org_id]["committees"].append(committee_name)
    return list(result.values())


def overlaps(session: Session, f: Filters) -> list[dict]:
    """Pairs of committees that fund the same organisations, and how many they share."""
    g1, g2 = aliased(Grant), aliased(Grant)
    c1, c2 = aliased(Committee), aliased(Committee)
    stmt = (select(c1.name, c2.name, func.count(distinct(g1.organisation_id)))
            .select_from(g1)
            .join(g2, and_(g1.organisation_id == g2.organisation_id, g1.committee_id < g2.committee_id))
            .join(c1, c1.id == g1.committee_id).join(c2, c2.id == g2.committee_id)
            .where(*_where(f, g1), *_where(f, g2))
            .group_by(c1.id, c1.name, c2.id, c2.name)
            .order_by(func.count(distinct(g1.organisation_id)).desc(), c1.name, c2.name))
    return [{"key": (a, b), "organisations": n} for a, b, n in session.execute(stmt)]


def filter_options(session: Session) -> dict:
    """What the filter form offers: committees, districts, and the years grants run in."""
    committees = session.execute(select(Committee.id, Committee.name).order_by(Committee.name)).all()
    districts = session.scalars(select(distinct(OrganisationDistrict.district))
                                .order_by(OrganisationDistrict.district)).all()
    first, last = session.execute(select(func.min(Grant.period_start), func.max(Grant.period_end))).one()
    return {"committees": [(c.id, c.name) for c in committees], "districts": list(districts),
            "years": list(range(last.year, first.year - 1, -1)) if first and last else []}
