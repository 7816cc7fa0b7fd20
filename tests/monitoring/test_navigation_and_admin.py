"""Who sees which follow-up page in the navigation, and the admins' record of job runs."""
from __future__ import annotations

from datetime import datetime

from monitoring import scheduler
from portal.models import Role
from tests.monitoring.conftest import login_user


def _nav(client):
    page = client.get("/").get_data(as_text=True)
    return page.split('aria-label="Huvudmeny"')[1].split("</nav>")[0]


def test_each_role_sees_its_follow_up_pages(client, factory):
    login_user(client, factory.user(role=Role.APPLICANT))
    nav = _nav(client)
    assert "Tidsfrister" in nav and "Erfarenhetsbank" not in nav and "Redovisningar" not in nav
    login_user(client, factory.user(role=Role.OFFICER))
    nav = _nav(client)
    assert "Redovisningar" in nav and "Utvärderingar" in nav and "Erfarenhetsbank" in nav
    login_user(client, factory.user(role=Role.COORDINATOR))
    nav = _nav(client)
    assert "Erfarenhetsbank" in nav and "Utvärderingar" not in nav


def test_admins_see_every_job_run_with_what_it_did_and_others_may_not(client, session, factory):
    scheduler.run_job(session, "due_evaluations", datetime(2026, 3, 2, 6))
    login_user(client, factory.user(role=Role.COORDINATOR))
    assert client.get("/monitoring/admin/jobs").status_code == 403
    login_user(client, factory.user(role=Role.ADMIN))
    assert "Schemalagda jobb" in client.get("/admin/users").get_data(as_text=True)  # in the admin sub-navigation
    page = client.get("/monitoring/admin/jobs").get_data(as_text=True)
    assert "due_evaluations" in page and "created: 0" in page and "OK" in page


def test_the_job_runs_page_is_paginated_with_constant_queries(app, client, session, factory, count_queries):
    login_user(client, factory.user(role=Role.ADMIN))
    scheduler.run_job(session, "due_evaluations", datetime(2026, 3, 2, 6))
    with count_queries() as few:
        client.get("/monitoring/admin/jobs")
    for day in range(1, 29):
        scheduler.run_job(session, "due_evaluations", datetime(2026, 4, day, 6))
    with count_queries() as many:
        page = client.get("/monitoring/admin/jobs").get_data(as_text=True)
    assert many.count == few.count
    assert 'rel="next"' in page
