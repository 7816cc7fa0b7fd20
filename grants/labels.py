"""Display labels for the package's codes (translated when shown)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

ACTION_AREAS = {
    "general": _l("General democracy-promoting efforts"),
    "targeted": _l("Targeted preventive efforts"),
    "individual": _l("Individual interventions (defectors, victims, relatives)"),
}
PROGRAMME_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed")}
APPLICATION_STATUSES = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "in_review": _l("In review"),
    "returned": _l("Returned for completion"), "decided": _l("Decided"), "withdrawn": _l("Withdrawn"),
    "closed_ineligible": _l("Closed as ineligible"),
}
OUTCOMES = {"approve": _l("Grant approved"), "partly_approve": _l("Partly approved"), "reject": _l("Rejected")}
RECOMMENDATION_CHOICES = {"approve": lazy_pgettext("grant decision", "Approve"), "partly_approve": _l("Partly approve"),
                          "reject": _l("Reject")}
MILESTONE_KINDS = {"interim": _l("Interim report"), "final": _l("Final report"), "financial": _l("Financial report")}
GRANT_STATUSES = {"active": lazy_pgettext("grant status", "Active"),
                  "completed": lazy_pgettext("grant status", "Completed"),
                  "withdrawn": lazy_pgettext("grant status", "Withdrawn")}
TRANCHE_STATUSES = {"scheduled": _l("Scheduled"), "released": _l("Released"), "paid": _l("Paid"),
                    "cancelled": _l("Cancelled"), "stopped": _l("Stopped (payments stopped)")}
REPAYMENT_STATUSES = {"proposed": _l("Proposed by the withdrawal: to be confirmed"),
                      "raised": _l("Sent to the organisation"), "paid": _l("Repaid"), "waived": _l("Waived")}
GENDERS = {"women": _l("Women"), "men": _l("Men"), "other": _l("Other or not stated")}
RULE_OUTCOMES = {"pass": _l("Pass"), "fail": _l("Fail"), "needs_assessment": _l("Needs assessment")}
SCREENING_OUTCOMES = {"eligible": _l("Eligible"), "ineligible": _l("Ineligible"),
                      "needs_assessment": _l("Needs assessment")}
REPORTING_RHYTHMS = {"final": _l("Final report only"), "interim_final": _l("Interim and final report")}


def all_labels() -> dict:
    return {
        "area_labels": ACTION_AREAS, "programme_status_labels": PROGRAMME_STATUSES,
        "application_status_labels": APPLICATION_STATUSES, "outcome_labels": OUTCOMES,
        "recommendation_labels": RECOMMENDATION_CHOICES, "milestone_labels": MILESTONE_KINDS,
        "grant_status_labels": GRANT_STATUSES, "tranche_status_labels": TRANCHE_STATUSES,
        "repayment_status_labels": REPAYMENT_STATUSES,
        "gender_labels": GENDERS, "rule_outcome_labels": RULE_OUTCOMES,
        "screening_outcome_labels": SCREENING_OUTCOMES, "rhythm_labels": REPORTING_RHYTHMS,
    }
