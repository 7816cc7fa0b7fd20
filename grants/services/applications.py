"""Applications: the applicant's draft in steps, submission, return for completion, withdrawal,
attachments; the officer's screening run; what the application page reads beside it (budget
totals, missing parts, the organisation's earlier grants); and mail to the organisation's
representatives."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eligibility.permissions import can_screen_application
from eligibility.screening import NoRuleSet, screen
from grants.models import Application, ApplicationStatus, BudgetLine, Grant, Programme
from grants.permissions import can_handle_application
from organisations.declarations import declaration_status
from organisations.mail import mail_recipients
from organisations.models import Organisation
from portal import audit, outbox
from portal.errors import DomainError, PermissionDenied
from portal.models import Committee, User

GENDERS = ("women", "men", "other")
AGE_BANDS = ("0-17", "18-25", "26-64", "65+")
EDITABLE_STATUSES = (ApplicationStatus.DRAFT.value, ApplicationStatus.RETURNED.value)
WITHDRAWABLE_STATUSES = (ApplicationStatus.DRAFT.value, ApplicationStatus.SUBMITTED.value,
                         ApplicationStatus.IN_REVIEW.value, ApplicationStatus.RETURNED.value)


def mail_representatives(session: Session, application: Application, subject: str, body: str,
                         now: datetime) -> None:
    """Queue the mail to the application's organisation (organisations.mail says who gets it)."""
    for recipient in mail_recipients(session, application.organisation_id):
        outbox.queue(session, to=recipient.address, subject=subject, body=body, now=now)


def start_application(session: Session, *, programme: Programme, organisation: Organisation, by: User,
                      now: datetime) -> Application:
    from organisations.permissions import is_representative

    if not is_representative(by, organisation.id):
        raise PermissionDenied(_("You do not represent this organisation."))
    # A barred organisation gets no support, so it starts nothing to apply for it. One under notice
    # or with a confirmed finding may still prepare a draft while its case is heard: the money gate
    # (eligibility.money_gate) stops the decision.
    if organisation.is_barred:
        raise DomainError(_("The organisation is barred from all support and cannot apply."), field="organisation_id")
    if not programme.is_open_on(now.date()):
        raise DomainError(_("The programme is not open for applications."))
    application = Application(organisation_id=organisation.id, programme_id=programme.id, created_by_id=by.id,
                              status=ApplicationStatus.DRAFT.value, last_step=1, created_at=now, updated_at=now,
                              expected_participants={}, requested_amount=0)
    session.add(application)
    session.flush()
    audit.record(session, actor=by, action="application.created", obj=application,
                 changes={"programme_id": programme.id, "organisation_id": organisation.id}, now=now)
    return application


@dataclass
class BudgetLineInput:
    category: str
    amount: int
    own_funding: int = 0
    other_funding: int = 0
    description: str = ""


def budget_totals(application: Application) -> dict:
    total = sum(line.amount for line in application.budget_lines)
    own = sum(line.own_funding for line in application.budget_lines)
    other = sum(line.other_funding for line in application.budget_lines)
    return {"total": total, "own": own, "other": other, "gap": total - own - other}


def _check_requested(application: Application) -> None:
    requested = application.requested_amount
    if requested > application.programme.max_per_grant:
        raise DomainError(_("The requested amount is more than the programme's maximum per grant."),
                          field="requested_amount")
    if requested > budget_totals(application)["gap"]:
        raise DomainError(_("The requested amount is more than the budget's total cost minus own and other "
                            "funding."), field="requested_amount")


def _require_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise DomainError(_("The application is submitted and can no longer be changed."))


def save_step(session: Session, application: Application, step: int, values: dict, *, by: User,
              now: datetime) -> Application:
    """Save one step of the draft. Steps: 1 basics, 2 content, 3 participants, 4 period and budget,
    5 partners and attachments."""
    _require_editable(application)
    changes: dict = {}
    if step == 1:
        if not (values.get("title") or "").strip():
            raise DomainError(_("Enter a title."), field="title")
        changes = audit.diff(application, {"title": values["title"].strip()})
        application.title = values["title"].strip()
    elif step == 2:
        fields = {k: (values.get(k) or "").strip() for k in ("aims", "activities", "method", "target_group")}
        changes = audit.diff(application, fields)
        for key, value in fields.items():
            setattr(application, key, value)
    elif step == 3:
        participants = {g: {band: max(0, int(values.get(g, {}).get(band) or 0)) for band in AGE_BANDS}
                        for g in GENDERS}
        changes = audit.diff(application, {"expected_participants": participants})
        application.expected_participants = participants
    elif step == 4:
        start, end = values.get("period_start"), values.get("period_end")
        if start is None or end is None:
            raise DomainError(_("Enter the start and end of the period."), field="period_end")
        if end < start:
            raise DomainError(_("The period cannot end before it starts."), field="period_end")
        lines: list[BudgetLineInput] = values.get("budget_lines", [])
        for line in lines:
            if line.own_funding + line.other_funding > line.amount:
                raise DomainError(_("Own and other funding cannot exceed the line's amount."), field="budget_lines")
        changes = audit.diff(application, {"period_start": start, "period_end": end,
                                           "requested_amount": values["requested_amount"]})
        application.period_start, application.period_end = start, end
        application.requested_amount = values["requested_amount"]
        application.budget_lines = [BudgetLine(category=line.category, description=line.description,
                                               amount=line.amount, own_funding=line.own_funding,
                                               other_funding=line.other_funding) for line in lines]
        changes["budget_lines"] = [[line.category, line.amount, line.own_funding, line.other_funding]
                                   for line in lines]
        _check_requested(application)
    elif step == 5:
        changes = audit.diff(application, {"partners": (values.get("partners") or "").strip()})
        application.partners = (values.get("partners") or "").strip()
    application.last_step = max(application.last_step, min(step + 1, 6))
    application.updated_at = now
    audit.record(session, actor=by, action="application.draft_saved", obj=application,
                 changes={"step": step, **changes}, now=now)
    return application


def missing_parts(application: Application) -> list[str]:
    missing = []
    if not application.title:
        missing.append(_("title"))
    if not application.aims or not application.activities:
        missing.append(_("aims and activities"))
    if not application.period_start or not application.period_end:
        missing.append(_("period"))
    if not application.budget_lines:
        missing.append(_("budget"))
    if application.requested_amount <= 0:
        missing.append(_("requested amount"))
    return missing


DECLARATION_REASONS = {
    "missing": lambda: _("The organisation has not signed the democracy declaration."),
    "expired": lambda: _("The organisation's democracy declaration has expired. Sign it again before submitting."),
    "old_version": lambda: _("The democracy declaration has a new version. Sign the new version before "
                             "submitting."),
    "no_text": lambda: _("No democracy declaration is published yet, so no application can be submitted."),
}


def submit_application(session: Session, application: Application, *, by: User, now: datetime) -> Application:
    """Submission rules (issue 4): open programme, valid declaration, organisation not barred.
    Submitting freezes the application, gives it a reference, screens it and mails a receipt."""
    from organisations.permissions import is_representative

    if not is_representative(by, application.organisation_id):
        raise PermissionDenied(_("You do not represent this organisation."))
    _require_editable(application)
    if not application.programme.is_open_on(now.date()):
        raise DomainError(_("The programme is closed, so the application cannot be submitted."))
    organisation = application.organisation
    if organisation.is_barred:
        raise DomainError(_("The organisation is barred from all support and cannot apply."))
    status = declaration_status(session, organisation.id, now)
    if not status.valid:
        raise DomainError(DECLARATION_REASONS[status.reason]())
    missing = missing_parts(application)
    if missing:
        raise DomainError(_("The application is not complete. Missing: %(parts)s.", parts=", ".join(missing)))
    _check_requested(application)
    resubmission = application.status == ApplicationStatus.RETURNED.value
    if application.reference is None:
        application.reference = f"{now.year}-{application.id:06d}"
    application.status = ApplicationStatus.SUBMITTED.value
    application.submitted_at = now
    application.updated_at = now
    application.last_step = 6
    session.flush()
    audit.record(session, actor=by, action="application.resubmitted" if resubmission else "application.submitted",
                 obj=application, changes={"reference": application.reference,
                                           "requested_amount": application.requested_amount}, now=now)
    try:
        screen(session, organisation=organisation, application=application, trigger="submitted", by=by, now=now)
    except NoRuleSet:
        pass  # the officer runs the screening once a rule set is published
    mail_representatives(
        session, application,
        _("Application %(ref)s received", ref=application.reference),
        _("We have received the application \"%(title)s\" (reference %(ref)s) to %(programme)s.",
          title=application.title, ref=application.reference, programme=application.programme.title), now)
    return application


def return_for_completion(session: Session, application: Application, *, message: str, by: User,
                          now: datetime) -> Application:
    if not can_handle_application(by, application):
        raise PermissionDenied(_("Only officers of the committee may return applications."))
    if not application.is_under_review:
        raise DomainError(_("Only a submitted application can be returned for completion."))
    if not (message or "").strip():
        raise DomainError(_("Tell the applicant what to complete."), field="message")
    application.status = ApplicationStatus.RETURNED.value
    application.return_message = message.strip()
    application.updated_at = now
    audit.record(session, actor=by, action="application.returned", obj=application, reason=message.strip(), now=now)
    mail_representatives(
        session, application, _("Application %(ref)s returned for completion", ref=application.reference),
        _("The committee asks you to complete the application %(ref)s:\n\n%(message)s",
          ref=application.reference, message=message.strip()), now)
    return application


def withdraw_application(session: Session, application: Application, *, by: User, now: datetime) -> Application:
    from organisations.permissions import is_representative

    if not is_representative(by, application.organisation_id):
        raise PermissionDenied(_("You do not represent this organisation."))
    if application.status not in WITHDRAWABLE_STATUSES:
        raise DomainError(_("The application can no longer be withdrawn."))
    application.status = ApplicationStatus.WITHDRAWN.value
    application.updated_at = now
    audit.record(session, actor=by, action="application.withdrawn", obj=application, now=now)
    return application


def run_screening(session: Session, application: Application, *, by: User, now: datetime):
    if not can_screen_application(by, application):
        raise PermissionDenied(_("Only officers of the committee may screen applications."))
    try:
        return screen(session, organisation=application.organisation, application=application, trigger="manual",
                      by=by, now=now)
    except NoRuleSet:
        raise DomainError(_("No eligibility rule set is published yet.")) from None


# Built once (the statement costs more to put together than to run); see earlier_grants().
_EARLIER_GRANTS = (
    select(Application.reference, Committee.name.label("committee_name"), Grant.amount, Grant.status)
    .select_from(Grant)
    .join(Application, Application.id == Grant.application_id)
    .join(Committee, Committee.id == Grant.committee_id)
    .where(Grant.organisation_id == bindparam("organisation_id"),
           Grant.application_id != bindparam("exclude_application_id"))
    .order_by(Grant.created_at.desc()))


def earlier_grants(session: Session, organisation_id: int, exclude_application_id: int) -> list:
    """The organisation's other grants, newest first, as rows (reference, committee_name, amount,
    status): what the application page lists, without building the grants themselves."""
    return session.execute(_EARLIER_GRANTS, {"organisation_id": organisation_id,
                                             "exclude_application_id": exclude_application_id}).all()


def add_attachment(session: Session, application: Application, *, stream, original_name: str, by: User,
                   now: datetime, upload_dir: str, max_bytes: int):
    """Store an upload as the organisation's document (kind "other") and link it to the draft."""
    from grants.models import ApplicationAttachment
    from organisations.documents import add_document

    _require_editable(application)
    document = add_document(session, organisation=application.organisation, stream=stream,
                            original_name=original_name, kind="other", by=by, now=now,
                            upload_dir=upload_dir, max_bytes=max_bytes)
    session.flush()
    application.attachments.append(ApplicationAttachment(document_id=document.id))
    audit.record(session, actor=by, action="application.attachment_added", obj=application,
                 changes={"document_id": document.id, "name": document.original_name}, now=now)
    return document
