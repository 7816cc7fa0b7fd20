"""Test data built through the services, so factories obey the same rules as the app."""
from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from portal.admin.services import create_committee, create_user
from portal.models import Committee, CommitteeKind, Role, User

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


class Factory:
    def __init__(self, session: Session, now: datetime):
        self.session = session
        self.now = now

    def committee(self, name: str | None = None, kind: CommitteeKind = CommitteeKind.DISTRICT) -> Committee:
        committee = create_committee(self.session, name=name or f"Nämnd {next(_counter)}", kind=kind.value,
                                     by=None, now=self.now)
        self.session.commit()
        return committee

    def user(self, role: Role | None = None, committee: Committee | None = None, email: str | None = None,
             name: str | None = None, password: str = DEFAULT_PASSWORD, **kwargs) -> User:
        n = next(_counter)
        roles = []
        if role is not None:
            if role in (Role.OFFICER, Role.DECISION_MAKER) and committee is None:
                committee = self.committee()
            roles.append((role, committee.id if committee else None))
        user = create_user(self.session, email=email or f"user{n}@example.org", name=name or f"Användare {n}",
                           password=password, by=None, now=self.now, roles=roles, **kwargs)
        self.session.commit()
        return user
