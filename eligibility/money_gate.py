"""May money move to this organisation now? The one answer behind every step that moves money:
an approving decision (grants.services.decisions), releasing a tranche by hand or by the scheduler
and marking it paid (grants.payments). Each step asks at its own moment, so a fact that changed
after the application was screened (a notice, a confirmed finding, a declaration that expired)
stops it, whatever an older screening said.

Money may move when, at `now`, the organisation

| condition | fails when | `MoneyStopped.condition` |
|---|---|---|
| is not barred | its status is barred (all support withdrawn) | `barred` |
| is not under notice | its status is under notice (eligibility.services keeps it so exactly while a withdrawal case of it is open) | `under_notice` |
| has no confirmed finding that stands | a finding of any category is confirmed and not lifted | `confirmed_finding` |
| has a valid democracy declaration | `organisations.declarations.valid_declaration_clause` is false | `no_valid_declaration` |

**Lifted** (`Finding.lifted_at`): a confirmed finding stops money until a coordinator's decision
takes it back: closing its withdrawal case without withdrawal (the organisation was heard and support
stays), or reinstating the organisation, which lifts every finding confirmed before it. A finding of
discrimination, anti-democratic work or association opens no withdrawal case, so it stands until the
organisation is reinstated (special reasons, issue 15 point 3, will be the other way).

Each condition is one SQL expression over `Organisation`. `money_may_move_clause` joins them for a
query (the scheduler's `releasable_tranches`); `money_refusal` runs the same expressions for one
organisation and names the first that fails, in plain words. So Python and SQL cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, not_, select
from sqlalchemy.orm import Session

from eligibility.models import Finding, FindingStatus
from organisations.declarations import valid_declaration_clause
from organisations.models import Organisation, OrganisationStatus
from portal.errors import DomainError


class MoneyStopped(DomainError):
    """The refusal of a step that would move money; `condition` names the condition that failed
    (the API's error code stays DomainError's "rule_refused")."""

    def __init__(self, message: str, condition: str):
        super().__init__(message)
        self.condition = condition


def standing_finding():
    """A confirmed, not lifted finding of the organisation (any category), as a SQL condition."""
    return exists().where(Finding.organisation_id == Organisation.id,
                          Finding.status == FindingStatus.CONFIRMED.value, Finding.lifted_at.is_(None))


@dataclass(frozen=True)
class _Condition:
    code: str
    fails: Callable[[datetime], object]  # now -> SQL condition over Organisation, true when money must stop
    message: Callable[[], str]


CONDITIONS = (
    _Condition("barred", lambda now: Organisation.status == OrganisationStatus.BARRED.value,
               lambda: _("The organisation is barred from all support: no support is decided and nothing is paid.")),
    _Condition("under_notice",
               lambda now: Organisation.status == OrganisationStatus.UNDER_NOTICE.value,
               lambda: _("The organisation has been given notice that all support may be withdrawn: no support is "
                         "decided and nothing is paid until the case is decided.")),
    _Condition("confirmed_finding", lambda now: standing_finding(),
               lambda: _("A coordinator has confirmed a finding that the organisation, or someone acting for it, "
                         "breaks the democracy conditions: no support is decided and nothing is paid while the "
                         "finding stands.")),
    _Condition("no_valid_declaration", lambda now: not_(valid_declaration_clause(Organisation.id, now)),
               lambda: _("The organisation has no valid democracy declaration today: no support is decided and "
                         "nothing is paid until an authorised signatory signs it again.")),
)


def money_may_move_clause(now: datetime):
    """The rule as a SQL condition over `Organisation` (which must be in the query)."""
    return and_(*(not_(condition.fails(now)) for condition in CONDITIONS))


def money_refusal(session: Session, organisation: Organisation, now: datetime) -> MoneyStopped | None:
    """Why no money may move to `organisation` at `now` (the first condition that fails), or None."""
    failed = session.execute(select(*(condition.fails(now) for condition in CONDITIONS))
                             .where(Organisation.id == organisation.id)).one()
    for condition, fails in zip(CONDITIONS, failed):
        if fails:
            return MoneyStopped(condition.message(), condition.code)
    return None
