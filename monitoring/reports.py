"""Grantee reports (redovisning): one per milestone of the follow-up plan.

The organisation fills in activities, participants by gender and age band, the actual value of
each indicator, money spent per budget line and attachments, then submits. An officer of the
granting committee approves (the milestone is then approved; tranches waiting for it may be
released) or returns it with comments, and the organisation resubmits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from grants.followup import is_overdue, milestone_overdue
from grants.models import Application, BudgetLine, FollowUpPlan, Grant, GrantStatus, Milestone
from monitoring.models import GranteeReport, IndicatorValue, ReportAttachment, ReportStatus, SpendingLine
from monitoring.permissions import can_edit_report, can_review_report
from monitoring.queries import base_url, plan_for_grant
from organisations.documents import add_document
from organisations.mail import mail_recipients
from organisations.models import DocumentKind
from portal import audit, outbox
from portal.errors import DomainError, PermissionDenied
from portal.numbers import MAX_ORE, NUMERIC_14_2, finite_decimal
from portal.models import Committee, User

GENDERS = ("women", "men", "other")
AGE_BANDS = ("0-17", "18-25", "26-64", "65+")
EDITABLE = (ReportStatus.DRAFT.value, ReportStatus.RETURNED.value)


def participant_field(gender: str, band: str) -> str:
    """The form field name of one gender and age band: p_women_18_25, p_men_65plus."""
    return f"p_{gender}_{band.replace('-', '_').replace('+', 'plus')}"


def parse_money(text: str | None, field_name: str) -> int:
    """'1 234,50', '1234.50' or '1234' kronor to integer öre, exactly (never through float)."""
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "").removesuffix("kr").strip()
    if not raw:
        return 0
    if "," in raw and "." in raw or raw.startswith("-"):
        raise DomainError(_("Write the amount as 1234,50."), field=field_name)
    message = _("Write the amount as 1234,50.")
    amount = finite_decimal(raw.replace(",", "."), MAX_ORE // 100, None, field_name, message)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(message, field=field_name)
    return int(amount * 100)


def parse_number(text: str | None, field_name: str, required: bool = False) -> Decimal | None:
    raw = (text or "").strip().replace(" ", "").replace(",", ".")
    if not raw:
        if required:
            raise DomainError(_("Enter a value."), field=field_name)
        return None
    if raw.startswith("-"):
        raise DomainError(_("Enter a number."), field=field_name)
    value = finite_decimal(raw, NUMERIC_14_2, None, field_name, _("Enter a number."))
    rounded = value.quantize(Decimal("0.01"))
    if rounded >= NUMERIC_14_2:  # 999999999999.999 rounds past the column
        raise DomainError(_("The number is too large."), field=field_name)
    return rounded


@dataclass
class ReportInput:
    """What the organisation filled in, as plain values (the view reads them from the form)."""

    activities: str = ""
    participants: dict = field(default_factory=dict)  # {"women": {"0-17": 3}, ...}
    indicators: dict = field(default_factory=dict)  # {indicator_id: {"value": "12", "women": "5", ...}}
    spending: dict = field(default_factory=dict)  # {budget_line_id: "1 234,50"}


def report_for(session: Session, grant: Grant, milestone: Milestone) -> GranteeReport | None:
    return session.scalar(select(GranteeReport).where(GranteeReport.milestone_id == milestone.id))


def milestone_of_grant(session: Session, grant: Grant, milestone_id: int) -> Milestone | None:
    plan = plan_for_grant(session, grant)
    if plan is None:
        return None
    return next((m for m in plan.milestones if m.id == milestone_id), None)


def save_report(session: Session, grant: Grant, milestone: Milestone, data: ReportInput, *, by: User,
                now: datetime, submit: bool) -> GranteeReport:
    """Save the organisation's report as a draft, or submit it for review. A submitted or approved
    report cannot be changed; a returned one can, and is submitted again."""
    report = report_for(session, grant, milestone)
    _refuse(editing_refusal(grant, report, by))
    report = report or _new_draft(session, grant, milestone, now)
    plan = plan_for_grant(session, grant)
    participants, totals = _participants(data)
    values = _indicator_values(plan, data, submit)
    spending = _spending(session, grant, data)
    activities = _activities(data, submit)
    _write_report(session, report, activities, participants, totals, values, spending)
    action = "report.saved"
    if submit:
        _submit(session, report, grant, plan, by=by, now=now)
        action = "report.submitted"
    audit.record(session, actor=by, action=action, obj=report,
                 changes={"participants": participants, "spent_total": report.spent_total,
                          "indicators": {str(i): str(v) for i, v, _g in values}}, now=now)
    return report


# Who may fill in or review a report, and in which state: one refusal per move, raised by the
# services and asked by the pages (may_edit / may_review), so no page repeats a status list.

def editing_refusal(grant: Grant, report: GranteeReport | None, by: User) -> DomainError | None:
    """A report is filled in by the organisation's representatives, never on a withdrawn grant, and
    only while it is a draft or returned for completion (not once submitted or approved)."""
    if not can_edit_report(by, grant):
        return PermissionDenied(_("Only the organisation's representatives may report on this grant."))
    if grant.status == GrantStatus.WITHDRAWN.value:
        return DomainError(_("The grant is withdrawn; no report is taken."))
    if report is not None and report.status not in EDITABLE:
        return DomainError(_("The report is already submitted and cannot be changed."))
    return None


def review_refusal(report: GranteeReport, by: User) -> DomainError | None:
    """A report is approved or returned by an officer of the granting committee, once submitted."""
    if not can_review_report(by, report.grant):
        return PermissionDenied(_("Only an officer of the granting committee may review this report."))
    if report.status != ReportStatus.SUBMITTED.value:
        return DomainError(_("Only a submitted report can be approved or returned."))
    return None


def may_edit(user: User, grant: Grant, report: GranteeReport | None) -> bool:
    return editing_refusal(grant, report, user) is None


def may_review(user: User, report: GranteeReport) -> bool:
    return review_refusal(report, user) is None


def _refuse(refusal: DomainError | None, field: str | None = None) -> None:
    if refusal is not None:
        if field and refusal.field is None:
            refusal.field = field
        raise refusal


def _new_draft(session: Session, grant: Grant, milestone: Milestone, now: datetime) -> GranteeReport:
    """The milestone's first report, a draft."""
    report = GranteeReport(grant_id=grant.id, milestone_id=milestone.id, status=ReportStatus.DRAFT.value,
                           created_at=now, participants={})
    session.add(report)
    return report


def _participants(data: ReportInput) -> tuple[dict, dict]:
    """Participants per gender and age band as whole numbers of at least 0, and the total per gender."""
    participants, totals = {}, {}
    for gender in GENDERS:
        bands = {}
        for band in AGE_BANDS:
            value = data.participants.get(gender, {}).get(band) or 0
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise DomainError(_("Enter a whole number."), field=participant_field(gender, band)) from None
            if value < 0:
                raise DomainError(_("Enter a whole number."), field=participant_field(gender, band))
            bands[band] = value
        participants[gender] = bands
        totals[gender] = sum(bands.values())
    return participants, totals


def _indicator_values(plan: FollowUpPlan, data: ReportInput, submit: bool) -> list[tuple[int, Decimal, dict]]:
    """Each indicator's actual value (required to submit); counted by gender, the parts add up to the total."""
    values = []
    for indicator in plan.indicators:
        given = data.indicators.get(indicator.id, {})
        value = parse_number(given.get("value"), f"ind_{indicator.id}", required=submit)
        by_gender = {}
        if indicator.by_gender:
            for gender in GENDERS:
                by_gender[gender] = parse_number(given.get(gender), f"ind_{indicator.id}_{gender}", required=submit)
            parts = [v for v in by_gender.values() if v is not None]
            if value is None and parts:
                value = sum(parts)
            if value is not None and len(parts) == len(GENDERS) and sum(parts) != value:
                raise DomainError(_("Women, men and other must add up to the total."), field=f"ind_{indicator.id}")
        if value is not None:
            values.append((indicator.id, value, by_gender))
    return values


def _spending(session: Session, grant: Grant, data: ReportInput) -> list[tuple[BudgetLine, int]]:
    """Money spent per budget line of the grant's application, in öre; lines of other applications are ignored."""
    lines = {line.id: line for line in session.scalars(
        select(BudgetLine).where(BudgetLine.application_id == grant.application_id))}
    spending = []
    for line_id, text in data.spending.items():
        if line_id not in lines:
            continue
        spending.append((lines[line_id], parse_money(text, f"spend_{line_id}")))
    return spending


def _activities(data: ReportInput, submit: bool) -> str:
    """The activities carried out; a submitted report must describe them."""
    activities = (data.activities or "").strip()
    if submit and not activities:
        raise DomainError(_("Describe the activities carried out."), field="activities")
    return activities


def _write_report(session: Session, report: GranteeReport, activities: str, participants: dict, totals: dict,
                  values: list[tuple[int, Decimal, dict]], spending: list[tuple[BudgetLine, int]]) -> None:
    """Replace the report's content with what was checked: participants, indicator values and spending."""
    report.activities = activities
    report.participants = participants
    report.participants_women = totals["women"]
    report.participants_men = totals["men"]
    report.participants_other = totals["other"]
    report.indicator_values.clear()
    report.spending.clear()
    session.flush()
    for indicator_id, value, by_gender in values:
        report.indicator_values.append(IndicatorValue(
            indicator_id=indicator_id, value=value, value_women=by_gender.get("women"),
            value_men=by_gender.get("men"), value_other=by_gender.get("other")))
    for line, amount in spending:
        report.spending.append(SpendingLine(budget_line_id=line.id, category=line.category, amount=amount))
    report.spent_total = sum(amount for _line, amount in spending)


def _submit(session: Session, report: GranteeReport, grant: Grant, plan: FollowUpPlan, *, by: User,
            now: datetime) -> None:
    """Mark the report submitted and tell the plan's responsible officer, if there is one, to review it."""
    report.status = ReportStatus.SUBMITTED.value
    report.submitted_at = now
    report.milestone.report_handed_in_at = now  # grants.followup reads it
    report.submitted_by_id = by.id
    officer = plan.responsible_officer
    if officer is not None:
        outbox.queue(session, to=officer.email, now=now,
                     subject=_("Report submitted: %(title)s", title=grant.application.title),
                     body=_("%(org)s has submitted a report for \"%(title)s\". Review it: %(url)s/monitoring/reports/%(id)s",
                            org=grant.organisation.name, title=grant.application.title, url=base_url(),
                            id=report.id or ""))


def add_attachment(session: Session, report: GranteeReport, *, stream: BinaryIO, original_name: str, by: User,
                   now: datetime, upload_dir: str, max_bytes: int) -> ReportAttachment:
    _refuse(editing_refusal(report.grant, report, by), field="file")
    document = add_document(session, organisation=report.grant.organisation, stream=stream,
                            original_name=original_name, kind=DocumentKind.OTHER.value, by=by, now=now,
                            upload_dir=upload_dir, max_bytes=max_bytes)
    session.flush()
    attachment = ReportAttachment(report_id=report.id, document_id=document.id)
    session.add(attachment)
    audit.record(session, actor=by, action="report.attachment_added", obj=report,
                 changes={"document_id": document.id, "name": original_name}, now=now)
    return attachment


def _tell_representatives(session: Session, report: GranteeReport, subject: str, body: str, now: datetime) -> None:
    for recipient in mail_recipients(session, report.grant.organisation_id):
        outbox.queue(session, to=recipient.address, subject=subject, body=body, now=now)


def approve_report(session: Session, report: GranteeReport, *, by: User, now: datetime) -> GranteeReport:
    """Approve a submitted report: the milestone is approved. When every milestone of the plan is
    approved and the grant period has ended, the grant is completed."""
    grant = report.grant
    _refuse(review_refusal(report, by))
    report.status = ReportStatus.APPROVED.value
    report.reviewed_at = now
    report.reviewed_by_id = by.id
    report.milestone.report_approved_at = now
    audit.record(session, actor=by, action="report.approved", obj=report,
                 changes={"milestone_id": report.milestone_id}, now=now)
    plan: FollowUpPlan = report.milestone.plan
    if (grant.status == GrantStatus.ACTIVE.value and grant.period_end < now.date()
            and all(m.report_approved_at is not None for m in plan.milestones)):
        grant.status = GrantStatus.COMPLETED.value
        grant.ended_at = now
        audit.record(session, actor=by, action="grant.completed", obj=grant,
                     changes={"status": [GrantStatus.ACTIVE.value, GrantStatus.COMPLETED.value]},
                     reason="every report approved after the grant period", now=now)
    _tell_representatives(
        session, report, _("Report approved: %(title)s", title=grant.application.title),
        _("Your report for \"%(title)s\" (due %(date)s) has been approved.", title=grant.application.title,
          date=report.milestone.due_on.isoformat()), now)
    return report


def return_report(session: Session, report: GranteeReport, comment: str, *, by: User, now: datetime) -> GranteeReport:
    """Return a submitted report with comments; the organisation corrects it and submits again."""
    grant = report.grant
    _refuse(review_refusal(report, by))
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say what the organisation needs to complete."), field="comment")
    report.status = ReportStatus.RETURNED.value
    report.milestone.report_handed_in_at = None  # owed again (grants.followup)
    report.reviewed_at = now
    report.reviewed_by_id = by.id
    report.officer_comment = comment
    audit.record(session, actor=by, action="report.returned", obj=report, reason=comment, now=now)
    _tell_representatives(
        session, report, _("Report returned for completion: %(title)s", title=grant.application.title),
        _("Your report for \"%(title)s\" was returned with this comment:\n\n%(comment)s\n\n"
          "Correct it and submit it again: %(url)s/monitoring/deadlines",
          title=grant.application.title, comment=comment, url=base_url()), now)
    return report


@dataclass
class Deadline:
    grant: Grant
    milestone: Milestone
    report: GranteeReport | None
    overdue: bool


def deadlines_for_organisations(session: Session, organisation_ids: list[int], today: date) -> list[Deadline]:
    """Every report milestone of the organisations' active and completed grants, with its report."""
    if not organisation_ids:
        return []
    rows = session.execute(
        select(Milestone, Grant, GranteeReport)
        .join(FollowUpPlan, Milestone.plan_id == FollowUpPlan.id)
        .join(Grant, Grant.application_id == FollowUpPlan.application_id)
        .outerjoin(GranteeReport, GranteeReport.milestone_id == Milestone.id)
        .where(Grant.organisation_id.in_(organisation_ids), Grant.status != GrantStatus.WITHDRAWN.value)
        .order_by(Milestone.due_on, Milestone.id)
    ).all()
    return [Deadline(grant, milestone, report, overdue=is_overdue(milestone, grant.status, today))
            for milestone, grant, report in rows]


@dataclass
class EarlierReport:
    """One report the organisation owed for an earlier grant, as the application page shows it."""

    grant_id: int
    grant_reference: str | None
    committee_id: int
    committee_name: str
    milestone_kind: str
    due_on: date
    status: str  # approved / returned / submitted / overdue
    report_id: int | None


EARLIER_REPORTS_SHOWN = 50


_HANDED_IN = (ReportStatus.SUBMITTED.value, ReportStatus.RETURNED.value, ReportStatus.APPROVED.value)


def _earlier_reports_statement(excluding_an_application: bool):
    stmt = (
        select(Grant.id, Application.reference, Grant.committee_id, Committee.name, Milestone.kind, Milestone.due_on,
               GranteeReport.id, GranteeReport.status, milestone_overdue(bindparam("today")).label("overdue"))
        .select_from(Milestone)
        .join(FollowUpPlan, Milestone.plan_id == FollowUpPlan.id)
        .join(Grant, Grant.application_id == FollowUpPlan.application_id)
        .join(Application, Application.id == Grant.application_id)
        .join(Committee, Committee.id == Grant.committee_id)
        .outerjoin(GranteeReport, GranteeReport.milestone_id == Milestone.id)
        .where(Grant.organisation_id == bindparam("organisation_id"),
               or_(GranteeReport.status.in_(_HANDED_IN), milestone_overdue(bindparam("today"))))
        .order_by(Milestone.due_on.desc(), Milestone.id.desc())
        .limit(EARLIER_REPORTS_SHOWN))
    if excluding_an_application:
        stmt = stmt.where(Grant.application_id != bindparam("exclude_application_id"))
    return stmt


# Built once, with and without an application left out: putting the joins together again on every
# application page costs more than running the query.
_EARLIER_REPORTS = {excluding: _earlier_reports_statement(excluding) for excluding in (True, False)}


def earlier_reports(session: Session, organisation_id: int, exclude_application_id: int | None,
                    today: date) -> list[EarlierReport]:
    """The organisation's reports for its earlier grants in every committee (issue 4, point 3):
    each milestone that has a report handed in (or returned), or that is overdue
    (grants.followup.report_overdue, which then names its state). Newest first, one query.
    Drafts are the organisation's own and are not shown."""
    params = {"organisation_id": organisation_id, "today": today}
    if exclude_application_id is not None:
        params["exclude_application_id"] = exclude_application_id
    stmt = _EARLIER_REPORTS[exclude_application_id is not None]
    rows = []
    for grant_id, reference, committee_id, committee_name, kind, due_on, report_id, status, overdue in (
            session.execute(stmt, params)):
        # Overdue (a returned report past its due date too) as grants.followup says; else the report's state.
        shown = "overdue" if overdue else status
        rows.append(EarlierReport(grant_id, reference, committee_id, committee_name, kind, due_on, shown,
                                  report_id if status in _HANDED_IN else None))
    return rows
