"""The grant rules: programmes, applications, reviews, follow-up plans and decisions.

Plain functions: they take a session and `now`, change state together with its audit event
(and e-mail through the outbox) and raise DomainError with the field a message belongs to.
The caller commits or rolls back.

One module per area, each owning its constants:
  programmes    create, edit, publish; the open programmes; the scheduler's closing; remaining budget
  applications  the applicant's draft, submission, return, withdrawal, attachments, screening run,
                earlier grants, mail to the organisation's representatives
  reviews       assigning reviewers, conflict of interest, scores, weighted score
  plans         the follow-up plan and its completeness rule
  decisions     decide(), the grant and tranches an approval creates, appeal information

Every public name is re-exported here, so callers write `services.decide(...)` or
`from grants.services import AGE_BANDS` without knowing the module."""
from eligibility.screening import latest_valid_screening  # the rule decide() applies, read by the staff API
from grants.services.applications import (AGE_BANDS, DECLARATION_REASONS, EDITABLE_STATUSES, GENDERS,
                                          WITHDRAWABLE_STATUSES, BudgetLineInput, add_attachment, budget_totals,
                                          earlier_grants, mail_representatives, missing_parts,
                                          return_for_completion, run_screening, save_step,
                                          start_application, submit_application, withdraw_application)
from grants.services.decisions import (APPEAL_INFO, TRANCHE_CONDITIONS, TrancheInput, awaits_decision, decide,
                                       may_decide)
from grants.services.plans import (IndicatorInput, MilestoneInput, PlanOutline, outline_problems, plan_outline,
                                   plan_problems, save_plan)
from grants.services.programmes import (PROGRAMME_FIELDS, CriterionInput, close_ended_programmes,
                                        create_programme, open_programmes_query, publish_programme,
                                        remaining_budget, update_programme)
from grants.models import REVIEWABLE_STATUSES
from grants.services.reviews import (RECOMMENDATIONS, assign_reviewer, declare_conflict,
                                     submit_review, weighted_score)

__all__ = [
    # programmes
    "PROGRAMME_FIELDS", "CriterionInput", "close_ended_programmes", "create_programme",
    "open_programmes_query", "publish_programme", "remaining_budget", "update_programme",
    # applications
    "AGE_BANDS", "DECLARATION_REASONS", "EDITABLE_STATUSES", "GENDERS", "WITHDRAWABLE_STATUSES",
    "BudgetLineInput", "add_attachment", "budget_totals", "earlier_grants", "mail_representatives",
    "missing_parts", "return_for_completion", "run_screening", "save_step",
    "start_application", "submit_application", "withdraw_application",
    # reviews
    "RECOMMENDATIONS", "REVIEWABLE_STATUSES", "assign_reviewer", "declare_conflict", "submit_review",
    "weighted_score",
    # plans
    "IndicatorInput", "MilestoneInput", "PlanOutline", "outline_problems", "plan_outline", "plan_problems",
    "save_plan",
    # decisions
    "APPEAL_INFO", "TRANCHE_CONDITIONS", "TrancheInput", "awaits_decision", "decide", "may_decide",
    # eligibility's rule, read through grants by the staff API
    "latest_valid_screening",
]
