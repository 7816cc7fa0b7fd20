"""Who gets an organisation's mail: one definition for every message the city sends it.

| rule | function | used by |
|---|---|---|
| an organisation's mail goes to | `mail_recipients` | notices and decisions in withdrawal cases, decisions and returns of applications, repayment claims, report reminders and reviews, declaration reminders |
| who may act on a request to join | `acting_representatives` | join requests |

An organisation's mail goes to each representative whose account is active (in the language
they chose) and to the organisation's own address from its profile, once per address. A
representative whose account an admin has closed no longer acts for the organisation, so gets
nothing; the organisation's own address always does, so a notice reaches the organisation even
when nobody acts for it any more.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from organisations.models import Organisation, Representative
from portal.models import User


@dataclass(frozen=True)
class Recipient:
    address: str
    locale: str | None  # None: the default language


def acting_representatives(session: Session, organisation_id: int) -> list[User]:
    """The representatives whose accounts are active, in a stable order."""
    return list(session.scalars(
        select(User).join(Representative, Representative.user_id == User.id)
        .where(Representative.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.id)))


def mail_recipients(session: Session, organisation_id: int) -> list[Recipient]:
    """The organisation's mail recipients (the rule above), sorted by address."""
    by_address: dict[str, Recipient] = {}
    own = session.scalar(select(Organisation.email).where(Organisation.id == organisation_id))
    if own:
        by_address[own.strip().lower()] = Recipient(own.strip(), None)
    for user in acting_representatives(session, organisation_id):
        by_address[user.email.strip().lower()] = Recipient(user.email, user.locale)
    return [by_address[key] for key in sorted(by_address)]
