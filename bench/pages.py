"""The pages the benchmark loads: ONE table, here. Each row: a name, a URL (or a function that
builds it from ids found in the generated data), and the role whose session requests it
(None: anonymous).

After merging, add the key pages of issue 8 here (officer's application list, organisation
register search, application page, grant page, coordinator dashboard, experience search,
public programme list, one API list); URL builders get a `PageContext` with the ids they need.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.generate import BENCH_USERS
from portal.models import Committee, Role, RoleGrant, User


@dataclass(frozen=True)
class PageContext:
    """Ids from the generated data that URL builders may use."""

    committee_id: int  # the benchmark officer's and decision maker's committee
    user_search: str  # a fragment of a name that matches some users, for search pages


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[PageContext], str]
    role: Role | None

    def build(self, ctx: PageContext) -> str:
        return self.url(ctx) if callable(self.url) else self.url


PAGES: list[Page] = [
    Page("health check", "/healthz", None),
    Page("login form", "/login", None),
    Page("start page (applicant)", "/", Role.APPLICANT),
    Page("start page (officer)", "/", Role.OFFICER),
    Page("start page (coordinator)", "/", Role.COORDINATOR),
    Page("admin user search", lambda c: f"/admin/users?q={c.user_search}", Role.ADMIN),
    Page("admin audit log", "/admin/audit", Role.ADMIN),
    Page("admin committees", "/admin/committees", Role.ADMIN),
]


def page_context(session: Session) -> PageContext:
    officer = session.scalar(select(User).where(User.email == BENCH_USERS[Role.OFFICER]))
    if officer is None:
        raise LookupError("no benchmark data: run bench.generate first")
    committee_id = session.scalar(select(RoleGrant.committee_id).where(
        RoleGrant.user_id == officer.id, RoleGrant.role == Role.OFFICER.value))
    assert session.get(Committee, committee_id) is not None
    return PageContext(committee_id=committee_id, user_search="officer")


def bench_user(session: Session, role: Role) -> User:
    user = session.scalar(select(User).where(User.email == BENCH_USERS[role]))
    if user is None:
        raise LookupError(f"no benchmark {role.value} account: run bench.generate first")
    return user


def roles_needed(pages: list[Page]) -> list[Role]:
    return sorted({p.role for p in pages if p.role is not None}, key=lambda r: r.value)
