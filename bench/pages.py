"""The pages the benchmark loads: ONE table, here. Each row: a name, a URL (or a function that
builds it from ids found in the generated data), the role whose session requests it (None:
anonymous), and whether it is a key page of issue 8 (held to the targets). An API page is
requested with the benchmark officer's API token (Authorization: Bearer) instead of a session.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.generate import BENCH_API_TOKEN, BENCH_USERS
from portal.models import Committee, Role, RoleGrant, User


@dataclass(frozen=True)
class PageContext:
    """Ids from the generated data that URL builders may use."""

    committee_id: int  # the benchmark officer's and decision maker's committee
    user_search: str  # a fragment of a name that matches some users, for search pages
    application_id: int  # a decided application of that committee, with reviews and a screening
    grant_id: int  # a grant of that committee, with plan, tranches and reports
    organisation_search: str = "förening"  # matches about three in ten generated names
    experience_search: str = "unga"  # in two of the eight generated target groups


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[PageContext], str]
    role: Role | None
    key: bool = False  # a key page of issue 8: p95 and share-of-ceiling targets apply
    api_token: bool = False  # sent with the role's API token, not a page session

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {BENCH_API_TOKEN}"} if self.api_token else {}

    def build(self, ctx: PageContext) -> str:
        return self.url(ctx) if callable(self.url) else self.url


PAGES: list[Page] = [
    # The key pages of issue 8.
    Page("officer's application list", "/staff/applications", Role.OFFICER, key=True),
    Page("organisation register search", lambda c: f"/organisations?q={quote(c.organisation_search)}", Role.OFFICER,
         key=True),
    Page("application with reviews and screening", lambda c: f"/staff/applications/{c.application_id}",
         Role.OFFICER, key=True),
    Page("grant page", lambda c: f"/grants/{c.grant_id}", Role.OFFICER, key=True),
    Page("coordinator dashboard", "/insight/", Role.COORDINATOR, key=True),
    Page("experience search", lambda c: f"/monitoring/experiences?q={c.experience_search}", Role.OFFICER,
         key=True),
    Page("public programme list", "/programmes", None, key=True),
    Page("API: organisation list", lambda c: f"/api/v1/organisations?name={quote(c.organisation_search)}", Role.OFFICER,
         key=True, api_token=True),
    # Other pages, for comparison.
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
    from eligibility.models import Screening
    from grants.models import Application, ApplicationStatus, FollowUpPlan, Grant, GrantStatus, Programme, Review

    # The first approved application of the committee (decision, plan, grant) with a screening, a
    # review by another officer and a plan held by a third: the same kind of page at every data
    # size (each person on a page is loaded once), so that query counts compare like with like.
    # Its grant is the grant page.
    reviewed_by_other = select(Review.id).where(Review.application_id == Application.id,
                                                Review.reviewer_id != officer.id,
                                                Review.reviewer_id != FollowUpPlan.responsible_officer_id).exists()
    by_me = select(Review.id).where(Review.application_id == Application.id, Review.reviewer_id == officer.id).exists()
    application_id, grant_id = session.execute(
        select(Application.id, Grant.id).join(Programme, Application.programme_id == Programme.id)
        .join(Grant, Grant.application_id == Application.id)
        .join(FollowUpPlan, FollowUpPlan.application_id == Application.id)
        .where(Programme.committee_id == committee_id, Application.status == ApplicationStatus.DECIDED.value,
               FollowUpPlan.responsible_officer_id != officer.id, reviewed_by_other, ~by_me,
               select(Screening.id).where(Screening.application_id == Application.id).exists())
        .order_by(Grant.status != GrantStatus.ACTIVE.value, Application.id).limit(1)).first() or (None, None)
    if application_id is None or grant_id is None:
        raise LookupError("the benchmark committee has no decided application or no grant: generate more data")
    return PageContext(committee_id=committee_id, user_search="officer", application_id=application_id,
                       grant_id=grant_id)


def bench_user(session: Session, role: Role) -> User:
    user = session.scalar(select(User).where(User.email == BENCH_USERS[role]))
    if user is None:
        raise LookupError(f"no benchmark {role.value} account: run bench.generate first")
    return user


def roles_needed(pages: list[Page]) -> list[Role]:
    return sorted({p.role for p in pages if p.role is not None}, key=lambda r: r.value)
