"""The default rules (DESIGN.md, "The democracy conditions behind the eligibility rules").

Each rule reads a few facts, returns pass / fail / needs_assessment and the evidence it read,
with a `reason` code that eligibility.explain turns into a plain sentence. The assessment of
what is unclear is made by people: such rules return needs_assessment for an officer.

The facts come from the fact loaders below, one query per fact for a whole chunk of
organisations (eligibility.screening.screen_many); a single screening is a chunk of one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.se import orgnr

from eligibility.models import Finding, FindingStatus, RuleOutcome, Screening, ScreeningResult
from eligibility.screening import RuleContext, RuleVerdict, fact_loader, fact_provider, rule
from organisations.declarations import current_text, latest_signatures, status_of
from organisations.models import BoardMember, Document, DocumentKind, OrganisationStatus

PASS, FAIL, ASSESS = RuleOutcome.PASS, RuleOutcome.FAIL, RuleOutcome.NEEDS_ASSESSMENT

# The first digit of an organisation number tells the kind of legal person ("gruppnummer"):
# 2 public bodies, 7 economic associations, 8 non-profit associations and foundations.
EXPECTED_ORG_GROUPS = ("2", "7", "8")


def _years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- fact loaders: {organisation_id: value} for every id, one query each -----------------------

def _grouped(organisation_ids: Sequence[int], rows) -> dict[int, list]:
    grouped: dict[int, list] = {oid: [] for oid in organisation_ids}
    for row in rows:
        grouped[row.organisation_id].append(row)
    return grouped


@fact_loader("statutes")
def load_statutes(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, list]:
    """The statutes on file, newest first (rows with id, original_name, uploaded_at)."""
    return _grouped(organisation_ids, session.execute(
        select(Document.organisation_id, Document.id, Document.original_name, Document.uploaded_at)
        .where(Document.organisation_id.in_(organisation_ids), Document.kind == DocumentKind.STATUTES.value,
               Document.removed_at.is_(None))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())))


@fact_loader("board_members")
def load_board_members(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, dict]:
    """{board member id: is an authorised signatory} of the organisation's board."""
    members: dict[int, dict] = {oid: {} for oid in organisation_ids}
    for row in session.execute(select(BoardMember.organisation_id, BoardMember.id, BoardMember.authorised_signatory)
                               .where(BoardMember.organisation_id.in_(organisation_ids))):
        members[row.organisation_id][row.id] = row.authorised_signatory
    return members


@fact_loader("declaration")
def load_declarations(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, Any]:
    """The democracy declaration's status (organisations.declarations) at `now`."""
    text = current_text(session)
    return {oid: status_of(text, signature, now)
            for oid, signature in latest_signatures(session, organisation_ids).items()}


@fact_loader("findings")
def load_findings(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, list]:
    """Findings not dismissed (rows with id, status, conduct_on); the rule applies its look-back."""
    return _grouped(organisation_ids, session.execute(
        select(Finding.organisation_id, Finding.id, Finding.status, Finding.conduct_on)
        .where(Finding.organisation_id.in_(organisation_ids), Finding.status != FindingStatus.DISMISSED.value)
        .order_by(Finding.id)))


@fact_loader("democratic_structure_resolution")
def load_structure_resolutions(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, Any]:
    """An officer's newest answer on the democratic structure given by `now` (row with
    resolved_outcome, resolved_at), or None. Only answers given by `now` count, so a screening
    replayed for an earlier date does not lean on a later answer; ties are broken by id so both
    databases pick the same row."""
    newest: dict[int, Any] = dict.fromkeys(organisation_ids)
    rows = session.execute(
        select(Screening.organisation_id, ScreeningResult.resolved_outcome, ScreeningResult.resolved_at)
        .join(Screening)
        .where(Screening.organisation_id.in_(organisation_ids), ScreeningResult.rule_id == "democratic_structure",
               ScreeningResult.resolved_outcome.is_not(None), ScreeningResult.resolved_at <= now)
        .order_by(ScreeningResult.resolved_at.desc(), ScreeningResult.id.desc()))
    for row in rows:
        if newest[row.organisation_id] is None:
            newest[row.organisation_id] = row
    return newest


@fact_loader("overdue_reports")
def load_overdue_reports(session: Session, organisation_ids: Sequence[int], now: datetime) -> dict[int, list]:
    """Earlier grants' milestones that are due and not approved: grants knows them (its provider)."""
    provider = fact_provider("overdue_reports_by_organisation")
    if provider is None:
        return {oid: [] for oid in organisation_ids}
    return provider(session, organisation_ids, now.date())


# --- the rules ---------------------------------------------------------------------------------
# The democracy rules are registered `mandatory=True`: the democracy declaration (declaration_valid),
# findings (no_confirmed_finding) and the bar or notice of a withdrawal case (not_barred). They carry
# the democracy conditions (DESIGN.md; guidelines 2016, docs/rules.md), so no published rule set
# may leave them out or weaken their settings (eligibility.services.publish_rule_set).

@rule("org_number_valid", "formal",
      description_sv="Organisationsnumret är giltigt och hör till en ideell förening, stiftelse, "
                     "ekonomisk förening eller offentlig organisation.",
      description_en="The organisation number is valid and belongs to a non-profit association, foundation, "
                     "economic association or public body.",
      facts=("organisation.org_number",))
def org_number_valid(ctx: RuleContext) -> RuleVerdict:
    number = ctx.organisation.org_number or ""
    evidence = {"org_number": number}
    if not orgnr.is_valid(number):
        return RuleVerdict(FAIL, {**evidence, "reason": "invalid"})
    if number[0] not in EXPECTED_ORG_GROUPS:
        return RuleVerdict(ASSESS, {**evidence, "reason": "unexpected_group", "group": number[0]})
    return RuleVerdict(PASS, {**evidence, "reason": "valid"})


@rule("statutes_on_file", "formal",
      description_sv="Föreningens stadgar finns inlämnade och är inte för gamla.",
      description_en="The organisation's statutes are on file and not too old.",
      facts=("documents.statutes",), default_params={"max_age_years": 10}, loads=("statutes",))
def statutes_on_file(ctx: RuleContext) -> RuleVerdict:
    statutes = ctx.facts["statutes"]
    if not statutes:
        return RuleVerdict(FAIL, {"reason": "missing", "statutes": []})
    newest = statutes[0]
    evidence = {"statutes": [{"id": d.id, "name": d.original_name, "uploaded_at": d.uploaded_at} for d in statutes],
                "max_age_years": ctx.params["max_age_years"]}
    if newest.uploaded_at.date() < _years_ago(ctx.now.date(), int(ctx.params["max_age_years"])):
        return RuleVerdict(ASSESS, {**evidence, "reason": "old"})
    return RuleVerdict(PASS, {**evidence, "reason": "on_file"})


@rule("democratic_structure", "democracy_rule_of_law",
      description_sv="Stadgarna ger en demokratisk struktur: en vald styrelse och ett årsmöte. "
                     "Handläggaren bedömer stadgarna.",
      description_en="The statutes give a democratic structure: an elected board and an annual meeting. "
                     "The officer assesses the statutes.",
      facts=("documents.statutes", "organisation.board_members", "earlier resolutions"),
      loads=("statutes", "board_members", "democratic_structure_resolution"))
def democratic_structure(ctx: RuleContext) -> RuleVerdict:
    statutes = ctx.facts["statutes"]
    if not statutes:
        return RuleVerdict(FAIL, {"reason": "no_statutes"})
    if not ctx.facts["board_members"]:
        return RuleVerdict(FAIL, {"reason": "no_board", "statutes_id": statutes[0].id})
    # An officer's earlier "pass" stands as long as the statutes have not changed since, and no
    # officer has answered "not met" after it: only the newest answer counts, and only if it was
    # given after the newest statutes were uploaded.
    earlier = ctx.facts["democratic_structure_resolution"]
    if earlier is not None and earlier.resolved_at < statutes[0].uploaded_at:
        earlier = None
    if earlier is not None and earlier.resolved_outcome == PASS.value:
        return RuleVerdict(PASS, {"reason": "resolved_earlier", "statutes_id": statutes[0].id,
                                  "resolved_at": earlier.resolved_at})
    return RuleVerdict(ASSESS, {"reason": "read_statutes", "statutes_id": statutes[0].id,
                                "statutes_name": statutes[0].original_name})


@rule("declaration_valid", "democracy_rule_of_law",
      description_sv="Demokratiförklaringen i gällande version är undertecknad av en firmatecknare och har inte "
                     "gått ut.",
      description_en="The current democracy declaration is signed by an authorised signatory and has not "
                     "expired.",
      facts=("declaration_signature", "board_members.authorised_signatory"), loads=("declaration", "board_members"),
      mandatory=True)
def declaration_valid(ctx: RuleContext) -> RuleVerdict:
    status = ctx.facts["declaration"]
    signature = status.signature
    evidence = {"status": status.reason}
    if signature is not None:
        evidence.update(signed_at=signature.signed_at, expires_at=signature.expires_at,
                        signatory=signature.signatory_name, text_version=signature.text.version)
    if not status.valid:
        return RuleVerdict(FAIL, {**evidence, "reason": status.reason})
    # The organisation's own board only: a signer who has left it (or sits on another board) is no
    # authorised signatory of this organisation.
    authorised = ctx.facts["board_members"].get(signature.signatory_board_member_id)
    if not authorised:
        # The signer is no longer (or was never recorded as) an authorised signatory: a person checks.
        return RuleVerdict(ASSESS, {**evidence, "reason": "signatory_not_authorised"})
    return RuleVerdict(PASS, {**evidence, "reason": "valid"})


@rule("no_confirmed_finding", "no_violence",
      description_sv="Ingen bekräftad iakttagelse mot organisationen eller någon som företräder den under "
                     "den senaste perioden.",
      description_en="No confirmed finding against the organisation or anyone acting for it within the "
                     "look-back period.",
      facts=("findings",), default_params={"lookback_years": 5}, loads=("findings",), mandatory=True)
def no_confirmed_finding(ctx: RuleContext) -> RuleVerdict:
    since = _years_ago(ctx.now.date(), int(ctx.params["lookback_years"]))
    rows = [r for r in ctx.facts["findings"] if r.conduct_on >= since]
    # Evidence names only ids and dates: finding details stay with the coordinators.
    confirmed = [{"id": r.id, "conduct_on": r.conduct_on} for r in rows if r.status == FindingStatus.CONFIRMED.value]
    reported = [{"id": r.id, "conduct_on": r.conduct_on} for r in rows if r.status == FindingStatus.REPORTED.value]
    evidence = {"since": since, "lookback_years": ctx.params["lookback_years"], "confirmed": confirmed,
                "unassessed": reported}
    if confirmed:
        return RuleVerdict(FAIL, {**evidence, "reason": "confirmed"})
    if reported:
        return RuleVerdict(ASSESS, {**evidence, "reason": "unassessed"})
    return RuleVerdict(PASS, {**evidence, "reason": "none"})


@rule("not_barred", "no_violence",
      description_sv="Organisationen är inte avstängd från stöd och har ingen pågående indragning.",
      description_en="The organisation is not barred from support and has no open withdrawal case.",
      facts=("organisation.status",), mandatory=True)
def not_barred(ctx: RuleContext) -> RuleVerdict:
    status = ctx.organisation.status
    evidence = {"status": status, "since": ctx.organisation.status_changed_at}
    if status == OrganisationStatus.BARRED.value:
        return RuleVerdict(FAIL, {**evidence, "reason": "barred"})
    if status == OrganisationStatus.UNDER_NOTICE.value:
        return RuleVerdict(ASSESS, {**evidence, "reason": "under_notice"})
    return RuleVerdict(PASS, {**evidence, "reason": "active"})


@rule("reports_on_time", "formal",
      description_sv="Redovisningar för tidigare bidrag är inlämnade och godkända i tid.",
      description_en="Reports for earlier grants were submitted and approved on time.",
      facts=("earlier grants' milestones",), default_params={"fail_after_days": 365}, loads=("overdue_reports",))
def reports_on_time(ctx: RuleContext) -> RuleVerdict:
    today = ctx.now.date()
    overdue = ctx.facts["overdue_reports"]
    evidence = {"overdue": overdue, "fail_after_days": ctx.params["fail_after_days"]}
    if not overdue:
        return RuleVerdict(PASS, {**evidence, "reason": "none_overdue"})
    oldest = min(item["due_on"] for item in overdue)
    if oldest < today - timedelta(days=int(ctx.params["fail_after_days"])):
        return RuleVerdict(FAIL, {**evidence, "reason": "long_overdue", "oldest_due_on": oldest})
    return RuleVerdict(ASSESS, {**evidence, "reason": "overdue", "oldest_due_on": oldest})


@rule("application_within_terms", "formal", needs_application=True,
      description_sv="Sökt belopp och projektperiod ryms inom bidragsutlysningens villkor.",
      description_en="The requested amount and the project period are within the programme's terms.",
      facts=("application.requested_amount", "application.period", "programme.max_per_grant"),
      default_params={"max_period_months": 36})
def application_within_terms(ctx: RuleContext) -> RuleVerdict:
    application = ctx.application
    maximum = application.programme.max_per_grant
    start, end = application.period_start, application.period_end
    evidence = {"requested_amount": application.requested_amount, "max_per_grant": maximum,
                "period_start": start, "period_end": end, "max_period_months": ctx.params["max_period_months"]}
    if application.requested_amount <= 0 or application.requested_amount > maximum:
        return RuleVerdict(FAIL, {**evidence, "reason": "amount"})
    if start is None or end is None:
        return RuleVerdict(ASSESS, {**evidence, "reason": "no_period"})
    months = (end.year - start.year) * 12 + end.month - start.month
    if end < start or months > int(ctx.params["max_period_months"]):
        return RuleVerdict(FAIL, {**evidence, "reason": "period"})
    return RuleVerdict(PASS, {**evidence, "reason": "within"})


DEFAULT_RULE_IDS = ["org_number_valid", "statutes_on_file", "democratic_structure", "declaration_valid",
                    "no_confirmed_finding", "not_barred", "reports_on_time", "application_within_terms"]
