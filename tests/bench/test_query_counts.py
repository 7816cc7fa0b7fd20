"""No page issues more SQL statements when there is more data (issue 8: the same count at two
sizes). The pages are the benchmark's own table, bench.pages.PAGES."""
from __future__ import annotations

import pytest

from bench.generate import Sizes, generate
from bench.pages import PAGES, Page
from bench.querycount import PageError, page_query_counts
from portal.extensions import db
from portal.models import Role
from portal.security import hash_password

# Both sizes fill more than one page (PAGE_SIZE 25) of the searches, so that each page is compared
# with the same page holding more data: an empty result skips queries a full one needs.
SMALL, LARGER = 0.03, 0.15


def _counts_by_role(app) -> dict:
    counts = {}
    for role in {p.role for p in PAGES}:
        counts.update(page_query_counts(app, [p for p in PAGES if p.role == role], role))
    return counts


def _fill(app, scale: float) -> None:
    with app.app_context():
        generate(db.session, Sizes.at_scale(scale), seed=3, now=app.config["FIXED_NOW"],
                 password_hash=hash_password("x" * 12))
        db.session.remove()


def test_every_page_issues_the_same_number_of_queries_at_two_data_sizes(app, fresh_app):
    db.session.remove()
    _fill(app, SMALL)
    small = _counts_by_role(app)
    larger_app = fresh_app()
    _fill(larger_app, LARGER)
    larger = _counts_by_role(larger_app)
    assert set(small) == {p.name for p in PAGES}
    assert larger == small


def test_query_counts_are_per_page_and_at_least_one_for_pages_that_read_the_database(app):
    db.session.remove()
    _fill(app, SMALL)
    counts = page_query_counts(app, [p for p in PAGES if p.role == Role.ADMIN], Role.ADMIN)
    assert counts["admin user search"] >= 2  # the user behind the session, then the list


def test_a_page_the_role_may_not_see_is_an_error_not_a_count(app):
    db.session.remove()
    _fill(app, SMALL)
    with pytest.raises(PageError, match="403"):
        page_query_counts(app, [Page("admin users", "/admin/users", Role.APPLICANT)], Role.APPLICANT)
