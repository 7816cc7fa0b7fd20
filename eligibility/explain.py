"""Plain-language explanations of a screening, rule by rule, from the evidence each rule stored."""
from __future__ import annotations

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eligibility.models import RuleOutcome, ScreeningOutcome, ScreeningResult
from eligibility.screening import RULES
from portal.formatting import format_money

OUTCOME_LABELS = {
    RuleOutcome.PASS.value: _l("Met"),
    RuleOutcome.FAIL.value: _l("Not met"),
    RuleOutcome.NEEDS_ASSESSMENT.value: _l("Needs assessment"),
}
SCREENING_LABELS = {
    ScreeningOutcome.ELIGIBLE.value: _l("Eligible"),
    ScreeningOutcome.INELIGIBLE.value: _l("Not eligible"),
    ScreeningOutcome.NEEDS_ASSESSMENT.value: _l("Needs assessment"),
}
# What the status badge and the lists' eligibility column say (eligibility_status().kind).
STATUS_LABELS = {
    "barred": _l("Barred: all support withdrawn"),
    "under_notice": _l("Under notice of withdrawal"),
    "eligible": _l("Eligible"),
    "ineligible": _l("Not eligible"),
    "needs_assessment": _l("Eligibility needs assessment"),
    "not_screened": _l("Not screened"),
}
REQUIREMENT_LABELS = {
    "democracy_rule_of_law": _l("Democracy and the rule of law"),
    "human_rights": _l("Human rights"),
    "gender_equality": _l("Equality between women and men"),
    "no_violence": _l("No violence"),
    "formal": _l("Formal requirements"),
}


def _d(value) -> str:
    from datetime import date

    if not value:
        return ""
    return format_date(date.fromisoformat(str(value)[:10]), "short")


def _org_number_valid(reason: str | None, e: dict) -> str | None:
    """Rule org_number_valid: a valid Swedish organisation number, of an association or foundation."""
    if reason == "valid":
        return _("The organisation number %(n)s is valid.", n=e.get("org_number"))
    if reason == "invalid":
        return _("The organisation number %(n)s is not a valid Swedish organisation number.", n=e.get("org_number"))
    if reason == "unexpected_group":
        return _("The organisation number %(n)s is valid but belongs to a company form, not an association or "
                 "foundation; an officer checks the organisation's form.", n=e.get("org_number"))
    return None


def _statutes_on_file(reason: str | None, e: dict) -> str | None:
    """Rule statutes_on_file: statutes are uploaded and not too old."""
    if reason == "on_file":
        return _("The statutes are on file.")
    if reason == "missing":
        return _("No statutes are on file.")
    if reason == "old":
        return _("The newest statutes on file are more than %(years)s years old; an officer checks they are current.",
                 years=e.get("max_age_years"))
    return None


def _democratic_structure(reason: str | None, e: dict) -> str | None:
    """Rule democratic_structure: the statutes provide an elected board and an annual meeting."""
    if reason == "no_statutes":
        return _("Without statutes there is nothing showing a board and an annual meeting.")
    if reason == "no_board":
        return _("No board members are recorded.")
    if reason == "resolved_earlier":
        return _("An officer found the statutes democratic on %(d)s, and they have not changed since.",
                 d=_d(e.get("resolved_at")))
    if reason == "read_statutes":
        return _("An officer reads the statutes to check that they provide an elected board and an annual meeting.")
    return None


def _declaration_valid(reason: str | None, e: dict) -> str | None:
    """Rule declaration_valid: an authorised signatory signed the current democracy declaration, still valid."""
    if reason == "valid":
        return _("The democracy declaration was signed by %(who)s, an authorised signatory, and is valid until "
                 "%(d)s.", who=e.get("signatory"), d=_d(e.get("expires_at")))
    if reason == "missing":
        return _("The democracy declaration has not been signed.")
    if reason == "expired":
        return _("The democracy declaration expired on %(d)s.", d=_d(e.get("expires_at")))
    if reason == "old_version":
        return _("The declaration was signed for an older version of the text; the current one must be signed.")
    if reason == "no_text":
        return _("No declaration text is published yet.")
    if reason == "signatory_not_authorised":
        return _("The declaration was signed by %(who)s, who is not recorded as an authorised signatory; an officer "
                 "checks the signature.", who=e.get("signatory"))
    return None


def _no_confirmed_finding(reason: str | None, e: dict) -> str | None:
    """Rule no_confirmed_finding: no confirmed finding against the organisation or anyone acting for it."""
    if reason == "none":
        return _("There is no finding against the organisation or anyone acting for it since %(d)s.",
                 d=_d(e.get("since")))
    if reason == "confirmed":
        return _("A coordinator has confirmed a finding against the organisation or someone acting for it since "
                 "%(d)s.", d=_d(e.get("since")))
    if reason == "unassessed":
        return _("A reported finding is not yet assessed by a coordinator.")
    return None


def _not_barred(reason: str | None, e: dict) -> str | None:
    """Rule not_barred: the organisation is neither barred nor under notice of withdrawal."""
    if reason == "active":
        return _("The organisation is not barred from support.")
    if reason == "barred":
        return _("All support to the organisation is withdrawn: it is barred.")
    if reason == "under_notice":
        return _("The organisation has received a notice of withdrawal; the case is not yet decided.")
    return None


def _reports_on_time(reason: str | None, e: dict) -> str | None:
    """Rule reports_on_time: no report for an earlier grant is overdue (long overdue fails)."""
    if reason == "none_overdue":
        return _("No report for an earlier grant is overdue.")
    if reason == "overdue":
        return _("%(n)s report(s) for earlier grants are overdue, the oldest since %(d)s.",
                 n=len(e.get("overdue", [])), d=_d(e.get("oldest_due_on")))
    if reason == "long_overdue":
        return _("%(n)s report(s) for earlier grants are overdue, the oldest since %(d)s: more than %(days)s days.",
                 n=len(e.get("overdue", [])), d=_d(e.get("oldest_due_on")), days=e.get("fail_after_days"))
    return None


def _application_within_terms(reason: str | None, e: dict) -> str | None:
    """Rule application_within_terms: the amount is within the programme's maximum and the period fits."""
    if reason == "within":
        return _("The requested %(amount)s is within the programme's maximum of %(max)s, and the period fits.",
                 amount=format_money(e.get("requested_amount")), max=format_money(e.get("max_per_grant")))
    if reason == "amount":
        return _("The requested %(amount)s is not within the programme's maximum of %(max)s.",
                 amount=format_money(e.get("requested_amount")), max=format_money(e.get("max_per_grant")))
    if reason == "no_period":
        return _("The application gives no project period; an officer checks it.")
    if reason == "period":
        return _("The project period does not fit: it must end after it starts and last at most %(m)s months.",
                 m=e.get("max_period_months"))
    return None


# Each rule's explanation of the reason it stored in its evidence (eligibility.screening.RULES).
_EXPLANATIONS = {
    "org_number_valid": _org_number_valid,
    "statutes_on_file": _statutes_on_file,
    "democratic_structure": _democratic_structure,
    "declaration_valid": _declaration_valid,
    "no_confirmed_finding": _no_confirmed_finding,
    "not_barred": _not_barred,
    "reports_on_time": _reports_on_time,
    "application_within_terms": _application_within_terms,
}


def explain_result(result: ScreeningResult) -> str:
    """Why this rule came out as it did, in words an organisation can follow; the outcome's label when the
    rule's reason has no explanation."""
    evidence = result.evidence or {}
    explain = _EXPLANATIONS.get(result.rule_id)
    message = explain(evidence.get("reason"), evidence) if explain else None
    return message if message is not None else str(OUTCOME_LABELS.get(result.outcome, result.outcome))


def rule_description(rule_id: str) -> str:
    registered = RULES.get(rule_id)
    return registered.description(str(get_locale() or "sv")) if registered else rule_id


def summary(screening) -> str:
    if screening.outcome == ScreeningOutcome.ELIGIBLE.value:
        return _("The organisation is eligible: every rule is met.")
    failed = [r for r in screening.results if r.effective_outcome == RuleOutcome.FAIL.value]
    if failed:
        return _("The organisation is not eligible: %(n)s rule(s) are not met.", n=len(failed))
    open_ = [r for r in screening.results if r.effective_outcome == RuleOutcome.NEEDS_ASSESSMENT.value]
    return _("Eligibility is not settled: an officer must assess %(n)s rule(s).", n=len(open_))
