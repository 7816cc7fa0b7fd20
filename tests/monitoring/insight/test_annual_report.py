"""The annual follow-up report: its text, the January job, and who may make and download it."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from monitoring.insight.annual import generate_annual_report
from monitoring.insight.jobs import generate_annual_report_job
from monitoring.insight.models import AnnualReport
from portal.models import AuditEvent, Role


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def year_2025(world, factory, session):
    social = factory.committee("Socialnämnden")
    skarp = factory.committee("Skärholmen stadsdelsnämnd")
    o1 = world.organisation("Föreningen Öppna dörrar", districts=["Skärholmen"])
    o2 = world.organisation("Stiftelsen Vägen ut", districts=["Skärholmen"])
    g1 = world.grant(o1, world.programme(skarp, "targeted"), 120_000, date(2025, 1, 1), date(2025, 12, 31),
                     status="completed", paid_kr=[120_000])
    g2 = world.grant(o2, world.programme(social, "individual"), 80_000, date(2025, 3, 1), date(2026, 2, 28),
                     status="withdrawn", paid_kr=[20_000], end_reason="Hemlig iakttagelse om våldsbejakande")
    world.milestone(g1, date(2025, 6, 30), "approved", datetime(2025, 6, 28), women=12, men=9, other=2)
    world.evaluation(g1, 5, "0.900")
    world.experience(skarp, "Mentorer som förebilder", 5, datetime(2025, 11, 1), lessons="Börja tidigt med föräldrar")
    world.experience(social, "Samtal i små grupper", 3, datetime(2025, 10, 1))
    world.experience(social, "Opublicerad erfarenhet", 5, datetime(2025, 10, 1), published=False)
    world.experience(social, "Erfarenhet från ett annat år", 5, datetime(2024, 10, 1))
    session.commit()
    return {"g2": g2}


def test_annual_report_shows_money_participants_attainment_withdrawals_and_lessons(app, session, year_2025):
    report = generate_annual_report(session, 2025, by=None, now=datetime(2026, 1, 5, 3, 0))
    text = pdf_text(report.pdf)
    assert "2025" in text
    assert "Skärholmen stadsdelsnämnd" in text and "Socialnämnden" in text
    assert "120 000,00 kr" in text.replace("\u00a0", " ")
    assert "200 000,00 kr" in text.replace("\u00a0", " ")  # granted in total
    assert "90 %" in text.replace("\u00a0", " ")  # attainment of Skärholmen's targeted grant
    assert "Individinsatser" in text  # Swedish, whatever language asked for it
    # Lessons: published ones from the year, best rated first.
    assert text.index("Mentorer som förebilder") < text.index("Samtal i små grupper")
    assert "Opublicerad erfarenhet" not in text
    assert "Erfarenhet från ett annat år" not in text
    assert "Hemlig iakttagelse" not in text


def test_january_job_makes_last_years_report_once(app, session, year_2025):
    first = generate_annual_report_job(session, datetime(2026, 1, 1, 2, 0))
    second = generate_annual_report_job(session, datetime(2026, 1, 2, 2, 0))
    assert first == {"generated": True, "year": 2025}
    assert second["generated"] is False
    assert session.scalar(select(func.count(AnnualReport.id))) == 1
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "annual_report.generated")) == 1


def test_job_outside_january_does_nothing(app, session, year_2025):
    assert generate_annual_report_job(session, datetime(2026, 2, 1, 2, 0))["generated"] is False
    assert session.scalar(select(func.count(AnnualReport.id))) == 0


def test_coordinator_makes_a_report_on_demand_and_downloads_it(client, login_as, session, year_2025):
    login_as(Role.COORDINATOR)
    response = client.post("/insight/annual-reports", data={"year": "2025"})
    assert response.status_code == 302
    page = client.get("/insight/annual-reports").get_data(as_text=True)
    assert "/insight/annual-reports/2025.pdf" in page
    pdf = client.get("/insight/annual-reports/2025.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Mentorer som förebilder" in pdf_text(pdf.get_data())


def test_a_year_that_has_not_begun_is_refused_beside_the_field(client, login_as, session):
    login_as(Role.COORDINATOR)
    response = client.post("/insight/annual-reports", data={"year": "2031"})
    assert response.status_code == 422
    assert 'id="year-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count(AnnualReport.id))) == 0


def test_missing_report_is_not_found(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/insight/annual-reports/2019.pdf").status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DECISION_MAKER, Role.APPLICANT, Role.ADMIN])
def test_only_coordinators_make_and_download_reports(client, login_as, session, role, year_2025):
    generate_annual_report(session, 2025, by=None, now=datetime(2026, 1, 5))
    session.commit()
    login_as(role)
    assert client.get("/insight/annual-reports").status_code == 403
    assert client.post("/insight/annual-reports", data={"year": "2025"}).status_code == 403
    assert client.get("/insight/annual-reports/2025.pdf").status_code == 403


def test_a_crashed_run_leaves_nothing_half_saved_and_the_next_run_makes_the_report(app, session, year_2025,
                                                                                  monkeypatch):
    from monitoring.insight import annual

    real = annual.render_annual_report

    def crash(*args, **kwargs):
        raise RuntimeError("server went down while rendering")

    monkeypatch.setattr(annual, "render_annual_report", crash)
    with pytest.raises(RuntimeError):
        generate_annual_report_job(session, datetime(2026, 1, 1, 2, 0))
    session.rollback()
    assert session.scalar(select(func.count(AnnualReport.id))) == 0
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("annual_report%"))) == 0

    monkeypatch.setattr(annual, "render_annual_report", real)
    assert generate_annual_report_job(session, datetime(2026, 1, 1, 3, 0)) == {"generated": True, "year": 2025}
    assert session.scalar(select(func.count(AnnualReport.id))) == 1
