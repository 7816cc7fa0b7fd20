"""What a grantee owes after a decision, and when it is late: one definition for every reader.

| rule | function | used by |
|---|---|---|
| a report is still owed | `report_owed` | reminders (which remind only while the grant is active) |
| a report is overdue | `report_overdue` | deadlines page and API, reminders, grant page, earlier-reports panel, dashboard and annual report, eligibility fact `overdue_reports` |

A report milestone is **overdue** when its due date has passed, no report for it is handed in
(submitted or approved: a draft, or a report returned for completion, is not), and its grant is
not withdrawn (a withdrawn grant's reports are no longer owed). The same expression works on
loaded objects and in SQL, so the pages and the queries cannot drift apart.
"""
from __future__ import annotations

from datetime import date

from grants.models import Grant, GrantStatus, Milestone


# Each rule is written with `&` and `== None` on purpose: on plain values they give a bool, on
# columns the SQL `AND` and `IS NULL`, so one expression serves pages and queries alike.

def report_owed(handed_in_at, grant_status):
    """A report is still owed: none is handed in and the grant is not withdrawn."""
    return (handed_in_at == None) & (grant_status != GrantStatus.WITHDRAWN.value)  # noqa: E711


def report_overdue(due_on, handed_in_at, grant_status, today: date):
    """A report is overdue: still owed after its due date (the rule above)."""
    return (due_on < today) & report_owed(handed_in_at, grant_status)


def milestone_owed():
    """`report_owed` as a SQL condition over `Milestone` and `Grant` (both must be in the query)."""
    return report_owed(Milestone.report_handed_in_at, Grant.status)


def milestone_overdue(today: date):
    """The rule as a SQL condition over `Milestone` and `Grant` (both must be in the query)."""
    return report_overdue(Milestone.due_on, Milestone.report_handed_in_at, Grant.status, today)


def is_overdue(milestone: Milestone, grant_status: str, today: date) -> bool:
    """The rule for one loaded milestone of a grant in `grant_status`."""
    return bool(report_overdue(milestone.due_on, milestone.report_handed_in_at, grant_status, today))
