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


def explain_result(result: ScreeningResult) -> str:
    """Why this rule came out as it did, in words an organisation can follow."""
    e = result.evidence or {}
    reason = e.get("reason")
    messages = {
        ("org_number_valid", "valid"): lambda: _("The organisation number %(n)s is valid.", n=e.get("org_number")),
        ("org_number_valid", "invalid"): lambda: _("The organisation number %(n)s is not a valid Swedish "
                                                   "organisation number.", n=e.get("org_number")),
        ("org_number_valid", "unexpected_group"): lambda: _(
            "The organisation number %(n)s is valid but belongs to a company form, not an association or "
            "foundation; an officer checks the organisation's form.", n=e.get("org_number")),
        ("statutes_on_file", "on_file"): lambda: _("The statutes are on file."),
        ("statutes_on_file", "missing"): lambda: _("No statutes are on file."),
        ("statutes_on_file", "old"): lambda: _(
            "The newest statutes on file are more than %(years)s years old; an officer checks they are current.",
            years=e.get("max_age_years")),
        ("democratic_structure", "no_statutes"): lambda: _(
            "Without statutes there is nothing showing a board and an annual meeting."),
        ("democratic_structure", "no_board"): lambda: _("No board members are recorded."),
        ("democratic_structure", "resolved_earlier"): lambda: _(
            "An officer found the statutes democratic on %(d)s, and they have not changed since.",
            d=_d(e.get("resolved_at"))),
        ("democratic_structure", "read_statutes"): lambda: _(
            "An officer reads the statutes to check that they provide an elected board and an annual meeting."),
        ("declaration_valid", "valid"): lambda: _(
            "The democracy declaration was signed by %(who)s, an authorised signatory, and is valid until %(d)s.",
            who=e.get("signatory"), d=_d(e.get("expires_at"))),
        ("declaration_valid", "missing"): lambda: _("The democracy declaration has not been signed."),
        ("declaration_valid", "expired"): lambda: _("The democracy declaration expired on %(d)s.",
                                                    d=_d(e.get("expires_at"))),
        ("declaration_valid", "old_version"): lambda: _(
            "The declaration was signed for an older version of the text; the current one must be signed."),
        ("declaration_valid", "no_text"): lambda: _("No declaration text is published yet."),
        ("declaration_valid", "signatory_not_authorised"): lambda: _(
            "The declaration was signed by %(who)s, who is not recorded as an authorised signatory; an officer "
            "checks the signature.", who=e.get("signatory")),
        ("no_confirmed_finding", "none"): lambda: _(
            "There is no finding against the organisation or anyone acting for it since %(d)s.", d=_d(e.get("since"))),
        ("no_confirmed_finding", "confirmed"): lambda: _(
            "A coordinator has confirmed a finding against the organisation or someone acting for it since %(d)s.",
            d=_d(e.get("since"))),
        ("no_confirmed_finding", "unassessed"): lambda: _(
            "A reported finding is not yet assessed by a coordinator."),
        ("not_barred", "active"): lambda: _("The organisation is not barred from support."),
        ("not_barred", "barred"): lambda: _("All support to the organisation is withdrawn: it is barred."),
        ("not_barred", "under_notice"): lambda: _(
            "The organisation has received a notice of withdrawal; the case is not yet decided."),
        ("reports_on_time", "none_overdue"): lambda: _("No report for an earlier grant is overdue."),
        ("reports_on_time", "overdue"): lambda: _(
            "%(n)s report(s) for earlier grants are overdue, the oldest since %(d)s.",
            n=len(e.get("overdue", [])), d=_d(e.get("oldest_due_on"))),
        ("reports_on_time", "long_overdue"): lambda: _(
            "%(n)s report(s) for earlier grants are overdue, the oldest since %(d)s: more than %(days)s days.",
            n=len(e.get("overdue", [])), d=_d(e.get("oldest_due_on")), days=e.get("fail_after_days")),
        ("application_within_terms", "within"): lambda: _(
            "The requested %(amount)s is within the programme's maximum of %(max)s, and the period fits.",
            amount=format_money(e.get("requested_amount")), max=format_money(e.get("max_per_grant"))),
        ("application_within_terms", "amount"): lambda: _(
            "The requested %(amount)s is not within the programme's maximum of %(max)s.",
            amount=format_money(e.get("requested_amount")), max=format_money(e.get("max_per_grant"))),
        ("application_within_terms", "no_period"): lambda: _(
            "The application gives no project period; an officer checks it."),
        ("application_within_terms", "period"): lambda: _(
            "The project period does not fit: it must end after it starts and last at most %(m)s months.",
            m=e.get("max_period_months")),
    }
    message = messages.get((result.rule_id, reason))
    return message() if message else str(OUTCOME_LABELS.get(result.outcome, result.outcome))


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
