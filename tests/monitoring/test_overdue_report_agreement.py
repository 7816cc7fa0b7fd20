""""Overdue report" is one rule (grants.followup.report_overdue): the deadlines page, the API, the
reminder job, the grant page, the dashboard and the eligibility fact all agree on the same data.

The data has every case the copies once disagreed on: a report handed in after its due date
(not overdue: the organisation has done its part), a report returned for completion (owed again),
a report never started, one not yet due, and a withdrawn grant's missing report (no longer owed).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from grants.eligibility_facts import overdue_reports
from grants.models import GrantStatus, MilestoneKind
from monitoring import reports, scheduler
from monitoring.insight import figures
from portal.api.tokens import create_token
from portal.models import OutboxMessage
from tests.monitoring.conftest import login_user

TODAY = date(2026, 3, 2)  # the tests' fixed clock (tests/conftest.py FIXED_NOW)


def _submit(session, world, milestone, at: datetime):
    data = reports.ReportInput(activities="Träffar varje vecka", participants={"women": {"18-25": 4}},
                               indicators={i.id: {"value": "4", "women": "4", "men": "0", "other": "0"}
                                           for i in world.plan.indicators})
    return reports.save_report(session, world.grant, milestone, data, by=world.representative, now=at, submit=True)


@pytest.fixture
def case(session, build):
    world = build.grant(milestones=[(MilestoneKind.INTERIM, date(2026, 2, 1)),   # never started
                                    (MilestoneKind.INTERIM, date(2026, 2, 10)),  # handed in late
                                    (MilestoneKind.INTERIM, date(2026, 2, 15)),  # returned for completion
                                    (MilestoneKind.FINAL, date(2026, 6, 30))])   # not yet due
    missing, late, returned, future = sorted(world.plan.milestones, key=lambda m: m.due_on)
    _submit(session, world, late, datetime(2026, 2, 12, 9))
    report = _submit(session, world, returned, datetime(2026, 2, 14, 9))
    reports.return_report(session, report, "Ange antal deltagare.", by=world.officer, now=datetime(2026, 2, 20, 9))
    withdrawn = build.grant(organisation=world.organisation, representative=world.representative,
                            committee=world.committee, officer=world.officer, status=GrantStatus.WITHDRAWN,
                            milestones=[(MilestoneKind.INTERIM, date(2026, 2, 1))])
    session.commit()
    return world, {missing.id, returned.id}, {late.id, future.id, withdrawn.plan.milestones[0].id}


def test_the_eligibility_fact_and_the_earlier_reports_panel_count_the_overdue_reports(session, case):
    world, overdue, _on_time = case
    assert {item["milestone_id"] for item in overdue_reports(session, world.organisation.id, TODAY)} == overdue
    panel = reports.earlier_reports(session, world.organisation.id, None, TODAY)
    due_on = {m.id: m.due_on for m in world.plan.milestones}
    assert {row.due_on for row in panel if row.status == "overdue"} == {due_on[m] for m in overdue}


def test_the_deadlines_page_and_the_api_mark_the_same_reports_overdue(session, client, case):
    world, overdue, _on_time = case
    rows = reports.deadlines_for_organisations(session, [world.organisation.id], TODAY)
    assert {row.milestone.id for row in rows if row.overdue} == overdue

    login_user(client, world.representative)
    page = client.get("/monitoring/deadlines").get_data(as_text=True)
    assert page.count('class="overdue"') == len(overdue)

    _row, token = create_token(session, world.representative, name="test", days=None, by=world.representative,
                               now=datetime(2026, 3, 2, 10))
    session.commit()
    items = client.get("/api/v1/my/deadlines?per_page=100", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert {item["milestone"]["id"] for item in items if item["overdue"]} == overdue


def test_the_reminder_job_sends_overdue_reminders_for_the_same_reports(session, case):
    world, overdue, _on_time = case
    scheduler.run_job(session, "report_reminders", datetime(2026, 3, 2, 6))
    keys = session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.like("report-reminder:%"))).all()
    assert {int(key.split(":")[1]) for key in keys if ":overdue:" in key} == overdue


def test_the_dashboard_and_the_grant_page_count_the_same_reports_overdue(session, client, factory, case):
    world, overdue, _on_time = case
    assert figures.report_timeliness(session, figures.Filters(), TODAY)["overdue"] == len(overdue)

    login_user(client, world.officer)
    page = client.get(f"/grants/{world.grant.id}").get_data(as_text=True)
    assert page.count("(försenad)") == len(overdue)
