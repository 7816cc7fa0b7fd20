"""SQL statements per page, measured in-process with the Flask test client.

`page_query_counts(app, pages, role)` logs in as the benchmark account of that role (from the
generated data), requests each page twice and counts the statements of the second request
(the first may warm per-process caches). A page that does not answer 200 is an error: a
redirect to the login form would otherwise be counted as the page.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from bench.pages import Page, bench_user, page_context
from portal import clock
from portal.auth.sessions import start_session
from portal.extensions import db
from portal.models import Role


class PageError(RuntimeError):
    pass


@contextmanager
def counting_statements(engine):
    """with counting_statements(engine) as counted: ...; counted[0] is the number of statements."""
    counted = [0]

    def count(*args, **kwargs):
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _logged_in_client(app: Flask, role: Role | None):
    client = app.test_client()
    if role is not None:
        with app.app_context():
            user = bench_user(db.session, role)
            user_id = start_session(db.session, user, now=clock.utcnow())
            db.session.commit()
            db.session.remove()
        # The session Flask-Login would write after a successful login (no password hashing here).
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
    return client


def _get(client, url: str, headers: dict | None = None):
    # Each request in a fresh context, as in production: nothing cached in `g` leaks across.
    return contextvars.Context().run(client.get, url, headers=headers or {})


def page_query_counts(app: Flask, pages: list[Page], role: Role | None) -> dict[str, int]:
    """{page name: SQL statements} for the pages of `pages` requested as `role` (None: anonymous)."""
    with app.app_context():
        ctx = page_context(db.session)
        engine = db.engine
        db.session.remove()
    client = _logged_in_client(app, role)
    token_client = app.test_client()  # API pages: the token alone, no page session
    counts = {}
    for page in pages:
        url = page.build(ctx)
        use = token_client if page.api_token else client
        _get(use, url, page.headers())
        with counting_statements(engine) as counted:
            response = _get(use, url, page.headers())
        if response.status_code != 200:
            raise PageError(f"{page.name}: GET {url} as {role.value if role else 'anonymous'} "
                            f"answered {response.status_code}, not 200")
        counts[page.name] = counted[0]
    return counts


def all_page_query_counts(app: Flask, pages: list[Page]) -> dict[str, int]:
    """Every page, each as its own role."""
    counts = {}
    for role in {p.role for p in pages}:
        counts.update(page_query_counts(app, [p for p in pages if p.role == role], role))
    return counts
