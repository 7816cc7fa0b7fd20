"""The monitoring demo data: reports in every state, evaluations, a dozen shared experiences."""
from __future__ import annotations

from sqlalchemy import func, select

from monitoring.models import Evaluation, Experience, GranteeReport, ReportStatus
from portal.demo import DEMO_PASSWORD
from tests.conftest import login


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (GranteeReport, Evaluation, Experience))


def test_demo_seed_gives_reports_in_every_state_evaluations_and_shared_experiences(runner, session):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    statuses = set(session.scalars(select(GranteeReport.status)))
    assert statuses == {s.value for s in ReportStatus}
    assert set(session.scalars(select(Evaluation.status))) == {"due", "completed"}
    assert session.scalar(select(func.count()).select_from(Experience)) == 12
    assert session.scalar(select(func.count(func.distinct(Experience.committee_id)))) >= 5
    assert session.scalar(select(func.count(func.distinct(Experience.action_area)))) == 3
    before = _counts(session)
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert _counts(session) == before


def test_demo_accounts_see_their_pages(app, runner):
    runner.invoke(args=["demo", "seed"])
    applicant = app.test_client()
    login(applicant, "sokande@demo.stad.example", DEMO_PASSWORD)
    page = applicant.get("/monitoring/deadlines").get_data(as_text=True)
    assert "Läxhjälp i Tensta" in page and "Försenad" in page
    officer = app.test_client()
    login(officer, "handlaggare.sodermalm@demo.stad.example", DEMO_PASSWORD)
    page = officer.get("/monitoring/experiences").get_data(as_text=True)
    assert "Forumteater om hat på nätet" in page and "Samtalsgrupper för unga i Rinkeby" in page
