"""Operations of the eligibility package. Each takes a session and `now`, checks its rule, writes
its audit event (and mail through the outbox) in the caller's transaction; the view commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, lazyload

from eligibility import permissions, signals
from eligibility.explain import rule_description
from eligibility.models import (WITHDRAWAL_CATEGORIES, CaseStatus, Finding, FindingActor, FindingAttachment,
                                FindingCategory, FindingSource, FindingStatus, RuleOutcome, RuleSet, Screening,
                                ScreeningOutcome, ScreeningResult, WithdrawalCase)
from eligibility.screening import RULES, fact_provider, mandatory_rules, overall_outcome
from organisations.mail import mail_recipients
from organisations.models import Organisation, OrganisationStatus
from portal import audit, outbox
from portal.formatting import format_dt
from portal.errors import Conflict, DomainError, NotFound, PermissionDenied
from portal.models import User

DEFAULT_RULE_SET_NAME = "Demokrativillkor, standard"


class NoticeDeadlineNotPassed(DomainError):
    pass


# ---------------------------------------------------------------------------- rule sets

def ensure_default_rule_set(session: Session, now: datetime) -> RuleSet:
    """Version 1, the default rules with their default settings. Running it again changes nothing."""
    from eligibility.rules import DEFAULT_RULE_IDS

    existing = session.scalar(select(RuleSet).where(RuleSet.version == 1))
    if existing is not None:
        return existing
    rule_set = RuleSet(version=1, name=DEFAULT_RULE_SET_NAME, validity_days=30, created_at=now, published_at=now,
                       rules=[{"id": rid, "params": dict(RULES[rid].default_params)} for rid in DEFAULT_RULE_IDS])
    session.add(rule_set)
    audit.record(session, actor=None, action="rule_set.published", obj=rule_set,
                 changes={"version": 1, "rules": rule_set.rules}, now=now)
    return rule_set


def publish_rule_set(session: Session, *, name: str, rules: list[dict], validity_days: int, by: User,
                     now: datetime) -> RuleSet:
    """A change is always a new version; old versions (and the screenings that used them) stay as they were.
    Every version includes the democracy rules (eligibility.rules, `mandatory=True`) with settings
    no weaker than their defaults."""
    if not rules:
        raise DomainError(_("A rule set needs at least one rule."), field="rules")
    seen = set()
    for entry in rules:
        if entry["id"] not in RULES:
            raise DomainError(_("Unknown rule: %(rule)s.", rule=entry["id"]), field="rules")
        if entry["id"] in seen:
            raise DomainError(_("The rule %(rule)s is listed twice.", rule=entry["id"]), field="rules")
        seen.add(entry["id"])
    _check_democracy_rules(rules)
    if validity_days < 1:
        raise DomainError(_("The validity must be at least one day."), field="validity_days")
    latest = session.scalar(select(RuleSet.version).order_by(RuleSet.version.desc()).limit(1)) or 0
    rule_set = RuleSet(version=latest + 1, name=name, rules=rules, validity_days=validity_days, created_at=now,
                       published_at=now, created_by_id=by.id)
    session.add(rule_set)
    audit.record(session, actor=by, action="rule_set.published", obj=rule_set,
                 changes={"version": rule_set.version, "rules": rules, "validity_days": validity_days}, now=now)
    return rule_set


def _check_democracy_rules(rules: list[dict]) -> None:
    """The democracy rules are in the rule set, and their settings are at least their defaults: each
    default is the mildest setting allowed (a shorter look-back would let older findings pass)."""
    listed = {entry["id"]: entry.get("params") or {} for entry in rules}
    missing = [registered for registered in mandatory_rules() if registered.id not in listed]
    if missing:
        raise DomainError(_("The democracy rules are mandatory in every rule set. Add: %(rules)s",
                            rules=" ".join(f"{rule_description(r.id)} ({r.id})" for r in missing)), field="rules")
    for registered in mandatory_rules():
        for setting, mildest in registered.default_params.items():
            value = listed[registered.id].get(setting, mildest)
            if not isinstance(value, int) or value < mildest:
                raise DomainError(_("The democracy rule “%(rule)s” cannot be weakened: %(setting)s "
                                    "must be at least %(mildest)s.", rule=rule_description(registered.id), setting=setting, mildest=mildest),
                                  field="rules")


# ---------------------------------------------------------------------------- screening

def resolve_result(session: Session, result: ScreeningResult, *, outcome: str, reason: str, by: User,
                   now: datetime) -> Screening:
    """An officer answers a needs-assessment rule with pass or fail and a reason; the screening's
    outcome is recomputed. Only whoever may run that screening (permissions.can_resolve_screening)."""
    screening = result.screening
    loader = fact_provider("application")
    application = loader(session, screening.application_id) if screening.application_id and loader else None
    if not permissions.can_resolve_screening(by, screening, application):
        raise PermissionDenied(
            _("Only staff of the application's committee and coordinators may assess its screening."))
    if result.outcome != RuleOutcome.NEEDS_ASSESSMENT.value:
        raise DomainError(_("Only a rule that needs assessment can be resolved."), field="outcome")
    if result.resolved_outcome is not None:
        raise Conflict(_("This rule has already been resolved."), field="outcome")
    if outcome not in (RuleOutcome.PASS.value, RuleOutcome.FAIL.value):
        raise DomainError(_("Choose pass or fail."), field="outcome")
    if not (reason or "").strip():
        raise DomainError(_("Write the reason for your assessment."), field="reason")
    screening = result.screening
    before = screening.outcome
    result.resolved_outcome = outcome
    result.resolution_reason = reason.strip()
    result.resolved_by_id = by.id
    result.resolved_at = now
    screening.outcome = overall_outcome([r.effective_outcome for r in screening.results]).value
    audit.record(session, actor=by, action="screening.resolved", obj=result, reason=reason.strip(),
                 changes={"rule_id": result.rule_id, "outcome": outcome,
                          "screening_outcome": [before, screening.outcome]}, now=now)
    return screening


def _newest_first(stmt):
    return stmt.order_by(Screening.run_at.desc(), Screening.id.desc()).limit(1)


# Built once, like the statement of latest_screenings(). The badge reads the outcome and the date
# only: the results and the rule set load if asked for.
_LATEST_SCREENING = (_newest_first(select(Screening).where(Screening.organisation_id == bindparam("organisation_id")))
                     .options(lazyload(Screening.results), lazyload(Screening.rule_set)))


def openable_screening_ids(session: Session, user: User, screenings) -> set[int]:
    """The screenings the user may open (permissions.can_view_screening), in at most one query: the
    committees of their applications, for committee staff only."""
    application_ids = {s.application_id for s in screenings if s.application_id}
    committees: dict[int, int] = {}
    if application_ids and user.is_authenticated and user.is_staff and not user.is_coordinator:
        loader = fact_provider("application_committees")
        committees = loader(session, sorted(application_ids)) if loader else {}
    return {s.id for s in screenings
            if (permissions.can_view_application_screening(user, committees.get(s.application_id))
                if s.application_id else permissions.can_view_screening(user, s))}


def latest_screening(session: Session, organisation_id: int) -> Screening | None:
    return session.scalar(_LATEST_SCREENING, {"organisation_id": organisation_id})


def _latest_screenings_statement():
    newest_of_application = _newest_first(select(Screening.id).where(
        Screening.application_id == bindparam("application_id")))
    newest_of_organisation = _newest_first(select(Screening.id).where(
        Screening.organisation_id == bindparam("organisation_id")))
    return select(Screening).where(or_(Screening.id == newest_of_application.scalar_subquery(),
                                       Screening.id == newest_of_organisation.scalar_subquery()))


# Built once: putting the subqueries together again on every page costs more than running them.
_LATEST_SCREENINGS = _latest_screenings_statement()


def latest_screenings(session: Session, organisation_id: int,
                      application_id: int) -> tuple[Screening | None, Screening | None]:
    """(the application's newest screening, the organisation's newest screening), in one query with
    the results: a page showing an application's screening beside the organisation's badge."""
    found = session.scalars(_LATEST_SCREENINGS, {"application_id": application_id,
                                                 "organisation_id": organisation_id}).all()
    of_application = [s for s in found if s.application_id == application_id]
    of_organisation = [s for s in found if s.organisation_id == organisation_id]
    return (max(of_application, key=_recency, default=None), max(of_organisation, key=_recency, default=None))


def _recency(screening: Screening):
    return screening.run_at, screening.id


@dataclass(frozen=True)
class EligibilityStatus:
    kind: str  # barred / under_notice / eligible / ineligible / needs_assessment / not_screened
    screening: Screening | None


def eligibility_status(session: Session, organisation: Organisation) -> EligibilityStatus:
    """What the status badge shows: a bar or notice first, otherwise the latest screening."""
    return status_from(organisation, latest_screening(session, organisation.id))


def status_from(organisation: Organisation, latest: Screening | None) -> EligibilityStatus:
    """eligibility_status() for a caller that has already read the organisation's latest screening."""
    return EligibilityStatus(eligibility_kind(organisation.status, latest.outcome if latest else None), latest)


def latest_screening_outcome(organisation_id):
    """A column for a list's own query: the outcome of the organisation's latest screening (None if never
    screened), so a list needs no query of its own for the badge; give it to `eligibility_kind`."""
    return _newest_first(select(Screening.outcome).where(Screening.organisation_id == organisation_id)).scalar_subquery()


def eligibility_kind(organisation_status: str, latest_outcome: str | None) -> str:
    """The badge's kind: a bar or notice from the organisation row, otherwise its latest screening's outcome."""
    if organisation_status in (OrganisationStatus.BARRED.value, OrganisationStatus.UNDER_NOTICE.value):
        return organisation_status
    return latest_outcome or "not_screened"


def eligibility_kinds(session: Session, organisations) -> dict[int, str]:
    """The badge's kind for many organisations at once, for lists: a bar or notice from the
    organisation row, otherwise the outcome of its latest screening, read in one query."""
    kinds: dict[int, str] = {}
    to_read = set()
    for organisation in organisations:
        kinds[organisation.id] = eligibility_kind(organisation.status, None)
        if kinds[organisation.id] == "not_screened":
            to_read.add(organisation.id)
    if to_read:
        ranked = select(
            Screening.organisation_id, Screening.outcome,
            func.row_number().over(partition_by=Screening.organisation_id,
                                   order_by=(Screening.run_at.desc(), Screening.id.desc())).label("position"),
        ).where(Screening.organisation_id.in_(to_read)).subquery()
        for organisation_id, outcome in session.execute(
                select(ranked.c.organisation_id, ranked.c.outcome).where(ranked.c.position == 1)):
            kinds[organisation_id] = outcome
    return kinds


# ---------------------------------------------------------------------------- findings

def report_finding(session: Session, *, organisation: Organisation, conduct_on: date, category: str,
                   actor_kind: str, actor_name: str, source_category: str, evidence: str, by: User,
                   reporting_committee_id: int | None, now: datetime, evidence_files: tuple = (),
                   upload_dir: str = "", max_bytes: int = 0) -> Finding:
    if not permissions.can_report_finding(by, organisation):
        raise PermissionDenied(_("Only committee staff and coordinators may report a finding."))
    if category not in {c.value for c in FindingCategory}:
        raise DomainError(_("Choose a category."), field="category")
    if actor_kind not in {a.value for a in FindingActor}:
        raise DomainError(_("Choose who acted."), field="actor_kind")
    if source_category not in {s.value for s in FindingSource}:
        raise DomainError(_("Choose the kind of source."), field="source_category")
    if conduct_on > now.date():
        raise DomainError(_("The date of conduct cannot be in the future."), field="conduct_on")
    if actor_kind != FindingActor.ORGANISATION.value and not (actor_name or "").strip():
        raise DomainError(_("Name the person who acted for the organisation."), field="actor_name")
    if not (evidence or "").strip():
        raise DomainError(_("Describe the evidence."), field="evidence")
    finding = Finding(organisation_id=organisation.id, reported_by_id=by.id,
                      reporting_committee_id=reporting_committee_id, conduct_on=conduct_on, category=category,
                      actor_kind=actor_kind, actor_name=(actor_name or "").strip(), source_category=source_category,
                      evidence=evidence.strip(), status=FindingStatus.REPORTED.value, created_at=now)
    session.add(finding)
    # The audit event names the finding, not its details: the log is readable by more people.
    audit.record(session, actor=by, action="finding.reported", obj=finding,
                 changes={"organisation_id": organisation.id, "category": category}, now=now)
    for upload in evidence_files:
        _store_evidence(session, finding, upload, by=by, now=now, upload_dir=upload_dir, max_bytes=max_bytes)
    return finding


@dataclass(frozen=True)
class EvidenceUpload:
    stream: Any
    original_name: str


def _store_evidence(session: Session, finding: Finding, upload: EvidenceUpload, *, by: User, now: datetime,
                    upload_dir: str, max_bytes: int) -> FindingAttachment:
    import os

    from organisations.documents import store_file

    stored = store_file(upload.stream, upload_dir, max_bytes)
    name = os.path.basename((upload.original_name or "").replace("\\", "/"))[:255] or "evidence"
    attachment = FindingAttachment(finding=finding, sha256=stored.sha256, size=stored.size,
                                   mime_type=stored.mime_type, original_name=name, uploaded_by_id=by.id,
                                   uploaded_at=now)
    session.add(attachment)
    session.flush()
    # Like the report itself, the audit event names the file by id and size only: the log is read more widely.
    audit.record(session, actor=by, action="finding.attachment_added", obj=finding,
                 changes={"attachment_id": attachment.id, "size": stored.size, "mime_type": stored.mime_type},
                 now=now)
    return attachment


def add_finding_attachment(session: Session, finding: Finding, upload: EvidenceUpload, *, by: User, now: datetime,
                           upload_dir: str, max_bytes: int) -> FindingAttachment:
    """Evidence added after the report: coordinators only, as they alone read the details
    (the reporter files evidence with the report itself, through report_finding)."""
    if not permissions.can_see_finding_details(by, finding):
        raise PermissionDenied(_("Only coordinators may add evidence to a reported finding."))
    return _store_evidence(session, finding, upload, by=by, now=now, upload_dir=upload_dir, max_bytes=max_bytes)


def assess_finding(session: Session, finding: Finding, *, confirm: bool, reason: str, by: User,
                   now: datetime) -> WithdrawalCase | None:
    """A coordinator confirms or dismisses. A confirmed finding of violence or incitement opens a
    withdrawal case with a notice (kommunicering, förvaltningslagen 25 §); a confirmed finding of any
    category stops payments at once (signal `finding_confirmed`, grants.payment_stop)."""
    if not permissions.can_assess_finding(by, finding):
        raise PermissionDenied(_("Only coordinators assess findings and decide withdrawals."))
    if not finding.awaits_assessment:
        raise Conflict(_("This finding has already been assessed."), field="reason")
    if not (reason or "").strip():
        raise DomainError(_("Write the reasons for your assessment."), field="reason")
    finding.status = (FindingStatus.CONFIRMED if confirm else FindingStatus.DISMISSED).value
    finding.assessed_by_id = by.id
    finding.assessed_at = now
    finding.assessment_reason = reason.strip()
    audit.record(session, actor=by, action="finding.confirmed" if confirm else "finding.dismissed", obj=finding,
                 reason=reason.strip(), changes={"status": finding.status}, now=now)
    case = None
    if confirm and finding.category in WITHDRAWAL_CATEGORIES:
        case = open_case(session, finding, grounds=reason.strip(), by=by, now=now)
    if confirm:
        # Whatever its category, a confirmed finding stops payments at once (eligibility.money_gate).
        signals.finding_confirmed.send(None, session=session, finding=finding, by=by, now=now)
    return case


def _lift_finding(session: Session, finding: Finding, *, reason: str, by: User, now: datetime) -> None:
    """A confirmed finding no longer stops money (eligibility.money_gate says when): audited, and
    grants resumes the payments it stopped for it."""
    finding.lifted_at = now
    finding.lift_reason = reason
    audit.record(session, actor=by, action="finding.lifted", obj=finding, reason=reason,
                 changes={"organisation_id": finding.organisation_id}, now=now)
    signals.finding_lifted.send(None, session=session, finding=finding, by=by, now=now)


def notice_text(case: WithdrawalCase) -> str:
    return _(
        "The City intends to withdraw all support to %(org)s and to refuse further support, because a "
        "coordinator has found that the organisation, or someone acting for it, used or encouraged violence "
        "(conduct on %(conduct_on)s). Grounds: %(grounds)s\n\n"
        "Before the decision you have the right to know the grounds and to reply (förvaltningslagen 25 §). "
        "Reply in the grant portal no later than %(deadline)s.",
        org=case.organisation.name, conduct_on=case.conduct_on.isoformat(), grounds=case.grounds,
        deadline=format_dt(case.reply_deadline))


def open_case(session: Session, finding: Finding, *, grounds: str, by: User | None, now: datetime) -> WithdrawalCase:
    organisation = finding.organisation
    days = current_app.config["NOTICE_REPLY_DAYS"]  # portal.config.add_settings, eligibility.init_app
    case = WithdrawalCase(organisation_id=organisation.id, finding_id=finding.id, status=CaseStatus.OPEN.value,
                          grounds=grounds, conduct_on=finding.conduct_on, opened_at=now,
                          opened_by_id=by.id if by else None, reply_deadline=now + timedelta(days=days))
    session.add(case)
    session.flush()
    case.organisation = organisation
    if organisation.status == OrganisationStatus.ACTIVE.value:
        _set_status(session, organisation, OrganisationStatus.UNDER_NOTICE.value, by=by, now=now, reason=grounds)
    audit.record(session, actor=by, action="withdrawal_case.opened", obj=case,
                 changes={"organisation_id": organisation.id, "finding_id": finding.id,
                          "reply_deadline": case.reply_deadline}, now=now)
    body = notice_text(case)
    for address in [recipient.address for recipient in mail_recipients(session, organisation.id)]:
        outbox.queue(session, to=address, subject=_("Notice: the City intends to withdraw support"), body=body,
                     now=now, dedup_key=f"notice:{case.id}:{address}")
    return case


def _set_status(session: Session, organisation: Organisation, status: str, *, by: User | None, now: datetime,
                reason: str) -> None:
    before = organisation.status
    organisation.status = status
    organisation.status_changed_at = now
    audit.record(session, actor=by, action="organisation.status_changed", obj=organisation, reason=reason,
                 changes={"status": [before, status]}, now=now)


def reply_to_notice(session: Session, case: WithdrawalCase, *, text: str, by: User, now: datetime) -> None:
    if not permissions.can_reply_to_notice(by, case):
        raise PermissionDenied(_("Only the organisation's representatives answer its notice."))
    if not case.is_open:
        raise Conflict(_("The case is decided; it no longer takes replies."), field="text")
    if not case.takes_replies(now):
        raise DomainError(_("The reply deadline has passed."), field="text")
    if not (text or "").strip():
        raise DomainError(_("Write your reply."), field="text")
    case.reply_text = text.strip()
    case.replied_at = now
    case.replied_by_id = by.id
    audit.record(session, actor=by, action="withdrawal_case.replied", obj=case, changes={"replied": True}, now=now)


def decide_case(session: Session, case: WithdrawalCase, *, withdraw: bool, reason: str, by: User,
                now: datetime) -> None:
    """After the reply deadline, a coordinator withdraws all support or closes the case. Withdrawal is
    one transaction: the organisation is barred here, and grants (through the signal) ends every grant,
    cancels unpaid tranches, closes open applications and proposes repayment claims. Any failure
    raises, and the caller rolls everything back."""
    if not permissions.can_decide_case(by, case):
        raise PermissionDenied(_("Only coordinators assess findings and decide withdrawals."))
    if not case.is_open:
        raise Conflict(_("This case is already decided."), field="reason")
    if not case.reply_period_over(now):
        raise NoticeDeadlineNotPassed(
            _("The organisation may reply until %(deadline)s; decide after that.",
              deadline=format_dt(case.reply_deadline)), field="reason")
    if not (reason or "").strip():
        raise DomainError(_("Write the reasons for the decision."), field="reason")
    organisation = case.organisation
    case.decided_at = now
    case.decided_by_id = by.id
    case.decision_reason = reason.strip()
    if withdraw:
        case.status = CaseStatus.WITHDRAWN.value
        _set_status(session, organisation, OrganisationStatus.BARRED.value, by=by, now=now, reason=reason.strip())
        audit.record(session, actor=by, action="withdrawal_case.withdrawn", obj=case, reason=reason.strip(),
                     changes={"status": case.status}, now=now)
        signals.organisation_withdrawn.send(None, session=session, organisation=organisation, case=case,
                                            conduct_on=case.conduct_on, by=by, now=now)
    else:
        case.status = CaseStatus.CLOSED.value
        if organisation.status == OrganisationStatus.UNDER_NOTICE.value and not _other_open_cases(session, case):
            _set_status(session, organisation, OrganisationStatus.ACTIVE.value, by=by, now=now, reason=reason.strip())
        audit.record(session, actor=by, action="withdrawal_case.closed", obj=case, reason=reason.strip(),
                     changes={"status": case.status}, now=now)
        if case.finding.status == FindingStatus.CONFIRMED.value and case.finding.lifted_at is None:
            _lift_finding(session, case.finding, reason=reason.strip(), by=by, now=now)
    body = _("Decision in the withdrawal case for %(org)s: %(decision)s.\n\nReasons: %(reasons)s",
             org=organisation.name, decision=_("all support withdrawn") if withdraw else _("closed without withdrawal"),
             reasons=reason.strip())
    for address in [recipient.address for recipient in mail_recipients(session, organisation.id)]:
        outbox.queue(session, to=address, subject=_("Decision on withdrawal of support"), body=body, now=now,
                     dedup_key=f"case-decision:{case.id}:{address}")


def _other_open_cases(session: Session, case: WithdrawalCase) -> bool:
    return session.scalar(select(WithdrawalCase.id).where(
        WithdrawalCase.organisation_id == case.organisation_id, WithdrawalCase.status == CaseStatus.OPEN.value,
        WithdrawalCase.id != case.id).limit(1)) is not None


def reinstate(session: Session, organisation: Organisation, *, reason: str, by: User, now: datetime) -> None:
    """Lifts the bar, and every finding confirmed before it (eligibility.money_gate). Withdrawn grants
    stay withdrawn: new support needs a new application."""
    if not permissions.can_decide_case(by):
        raise PermissionDenied(_("Only coordinators assess findings and decide withdrawals."))
    if not organisation.is_barred:
        raise Conflict(_("Only a barred organisation can be reinstated."), field="reason")
    if not (reason or "").strip():
        raise DomainError(_("Write the reasons for reinstatement."), field="reason")
    _set_status(session, organisation, OrganisationStatus.ACTIVE.value, by=by, now=now, reason=reason.strip())
    case = session.scalar(select(WithdrawalCase).where(
        WithdrawalCase.organisation_id == organisation.id, WithdrawalCase.status == CaseStatus.WITHDRAWN.value,
        WithdrawalCase.reinstated_at.is_(None)).order_by(WithdrawalCase.decided_at.desc()).limit(1))
    if case is not None:
        case.reinstated_at = now
        case.reinstated_by_id = by.id
        case.reinstatement_reason = reason.strip()
    audit.record(session, actor=by, action="organisation.reinstated", obj=organisation, reason=reason.strip(),
                 now=now)
    # Reinstatement is the coordinator's decision that the organisation may have support again: every
    # finding confirmed before it is lifted (eligibility.money_gate).
    standing = session.scalars(select(Finding).where(
        Finding.organisation_id == organisation.id, Finding.status == FindingStatus.CONFIRMED.value,
        Finding.lifted_at.is_(None)).order_by(Finding.id)).all()
    for finding in standing:
        _lift_finding(session, finding, reason=reason.strip(), by=by, now=now)


def open_case_for(session: Session, organisation_id: int) -> WithdrawalCase | None:
    return session.scalar(select(WithdrawalCase).where(WithdrawalCase.organisation_id == organisation_id,
                                                       WithdrawalCase.status == CaseStatus.OPEN.value)
                          .order_by(WithdrawalCase.opened_at.desc()).limit(1))


def get_or_404(session: Session, model: Any, object_id: int):
    obj = session.get(model, object_id)
    if obj is None:
        raise NotFound(_("Not found."))
    return obj
