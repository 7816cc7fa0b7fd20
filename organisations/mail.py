"""Who gets an organisation's mail: one definition for every message the city sends it.

| rule | function | used by |
|---|---|---|
| an organisation's mail goes to | `mail_recipients` | notices and decisions in withdrawal cases, decisions and returns of applications, repayment claims, report reminders and reviews, declaration reminders |
| who may act on a request to join | `acting_representatives` | join requests |

An organisation's mail goes to each representative whose account is active and to the
organisation's own address from its profile, once per address. Each recipient carries a stable
`key` (the person, or the organisation's own address) for the outbox's de-duplication, and the
language the person chose, for the callers that write per recipient. A
representative whose account an admin has closed no longer acts for the organisation, so gets
nothing; the organisation's own address always does, so a notice reaches the organisation even
when nobody acts for it any more.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from organisations.models import Organisation, Representative
from portal.models import User


@dataclass(frozen=True)
class Recipient:
    address: str
    locale: str | None  # None: the default language
    key: str  # "<user id>" for a person, "organisation" for its own address


def acting_representatives(session: Session, organisation_id: int) -> list[User]:
    """The representatives whose accounts are active, in a stable order."""
    return list(session.scalars(
        select(User).join(Representative, Representative.user_id == User.id)
        .where(Representative.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.id)))


def mail_recipients(session: Session, organisation_id: int) -> list[Recipient]:
    """The organisation's mail recipients (the rule above), sorted by address; one query, as the
    scheduler asks it for every report and declaration it reminds of."""
    rows = session.execute(
        select(Organisation.email, User.id, User.email, User.locale)
        .select_from(Organisation)
        .outerjoin(Representative, Representative.organisation_id == Organisation.id)
        .outerjoin(User, and_(User.id == Representative.user_id, User.active.is_(True)))
        .where(Organisation.id == organisation_id)).all()
    by_address: dict[str, Recipient] = {}
    for own, user_id, address, locale in rows:
        if own and own.strip():
            by_address.setdefault(own.strip().lower(), Recipient(own.strip(), None, "organisation"))
        if address:
            by_address[address.strip().lower()] = Recipient(address, locale, str(user_id))
    return [by_address[key] for key in sorted(by_address)]
