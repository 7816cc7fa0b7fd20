"""The builder's common ground: the clock and session, the one way to an organisation number,
the commit-and-drop-mail wrapper of every builder, and the people who act."""
from __future__ import annotations

import functools
import itertools
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from stdnum import luhn

from portal.admin.services import create_committee, create_user
from portal.models import Committee, CommitteeKind, OutboxMessage, Role, User

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
_org_numbers = itertools.count(1)
_pdf_bytes: dict[str, bytes] = {}


def serial() -> int:
    """The next number for names and e-mail addresses that must differ between builds."""
    return next(_counter)


def org_number(group: str = "8") -> str:
    """A valid Swedish organisation number, different on every call: nine digits from a counter
    (the legal-form group, "02", six counted digits) and the Luhn check digit. Group 8 is the
    non-profit associations'; "5" gives a limited company's."""
    body = f"{group}02{next(_org_numbers):06d}"
    return body + luhn.calc_check_digit(body)


def small_pdf(title: str = "Stadgar") -> bytes:
    """A real one-page PDF (made once per title: reportlab is not free)."""
    if title not in _pdf_bytes:
        from organisations.demo import small_pdf as make_pdf

        _pdf_bytes[title] = make_pdf(title)
    return _pdf_bytes[title]


def builder(method):
    """Commit what a public builder made, and drop the mail it queued (see the package docstring).
    Builders call each other; only the outermost one commits and drops."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._depth:
            return method(self, *args, **kwargs)
        self.session.flush()
        mark = self.session.scalar(select(func.max(OutboxMessage.id))) or 0
        self._depth += 1
        try:
            result = method(self, *args, **kwargs)
            self.session.flush()
            if not self.keep_mail:
                self.session.execute(delete(OutboxMessage).where(OutboxMessage.id > mark))
            self.session.commit()
            return result
        finally:
            self._depth -= 1

    return wrapper


class FactoryBase:
    def __init__(self, session: Session, now: datetime, keep_mail: bool = False):
        self.session = session
        self.now = now
        self.keep_mail = keep_mail
        self._depth = 0

    @builder
    def committee(self, name: str | None = None, kind: CommitteeKind = CommitteeKind.DISTRICT) -> Committee:
        return create_committee(self.session, name=name or f"Nämnd {serial()}", kind=kind.value, by=None,
                                now=self.now)

    @builder
    def user(self, role: Role | None = None, committee: Committee | None = None, email: str | None = None,
             name: str | None = None, password: str = DEFAULT_PASSWORD, roles=(), **kwargs) -> User:
        """A user with one role (committee roles get a new committee unless one is given), or with
        `roles`: (role, committee) pairs."""
        n = serial()
        granted = [(r, c.id if c else None) for r, c in roles]
        if role is not None:
            if role in (Role.OFFICER, Role.DECISION_MAKER) and committee is None:
                committee = self.committee()
            granted.append((role, committee.id if committee else None))
        return create_user(self.session, email=email or f"user{n}@example.org", name=name or f"Användare {n}",
                           password=password, by=None, now=self.now, roles=granted, **kwargs)

    def officer(self, committee: Committee, **kwargs) -> User:
        return self.user(role=Role.OFFICER, committee=committee, **kwargs)

    def decision_maker(self, committee: Committee, **kwargs) -> User:
        return self.user(role=Role.DECISION_MAKER, committee=committee, **kwargs)

    def coordinator(self, **kwargs) -> User:
        return self.user(role=Role.COORDINATOR, **kwargs)

    def applicant(self, **kwargs) -> User:
        return self.user(role=Role.APPLICANT, **kwargs)

    def _officer_of(self, committee_id: int) -> User:
        return self._staff_of(committee_id, Role.OFFICER)

    def _staff_of(self, committee_id: int, role: Role) -> User:
        """The committee's first user with the role, made if it has none: who acts where a service
        needs an officer or a decision maker and the test named none."""
        from portal.models import RoleGrant

        user = self.session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.committee_id == committee_id, RoleGrant.role == role.value,
                                          User.active.is_(True))
                                   .order_by(User.id).limit(1))
        return user or self.user(role=role, committee=self.session.get(Committee, committee_id))
