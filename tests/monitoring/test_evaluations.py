"""Evaluations: completed by the granting committee's officers, printable, shared as experience."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import func, select

from monitoring import scheduler
from monitoring.evaluations import compute_attainment
from monitoring.models import (Evaluation, EvaluationStatus, Experience, GranteeReport, IndicatorValue,
                               ReportStatus)
from portal.models import AuditEvent, Role
from tests.monitoring.conftest import login_user


def _approved_report(session, world, milestone_index, values, now):
    """values: {indicator index: (total, women, men, other)}"""
    report = GranteeReport(grant_id=world.grant.id, milestone_id=world.plan.milestones[milestone_index].id,
                           status=ReportStatus.APPROVED.value, created_at=now, participants={})
    for index, (total, women, men, other) in values.items():
        report.indicator_values.append(IndicatorValue(
            indicator_id=world.plan.indicators[index].id, value=Decimal(total), value_women=women,
            value_men=men, value_other=other))
    session.add(report)
    session.commit()
    return report


def _due_evaluation(session, world):
    scheduler.run_job(session, "due_evaluations", datetime(2027, 3, 1, 6))
    return session.scalar(select(Evaluation).where(Evaluation.grant_id == world.grant.id))


EVALUATION = {"rating": "4", "what_worked": "Träffarna i små grupper.", "what_did_not": "Sena kvällar.",
              "lessons": "Samarbete med skolan ger fler deltagare.", "recommendation": "scale_up", "share": "y"}


def test_attainment_uses_the_latest_approved_report_by_gender_and_caps_each_indicator(session, build, now):
    world = build.grant()  # Deltagare target 40 by gender, Träffar target 20
    _approved_report(session, world, 0, {0: (10, 5, 5, 0), 1: (5, None, None, None)}, now)
    _approved_report(session, world, 1, {0: (30, 16, 13, 1), 1: (30, None, None, None)}, now)
    rows, share = compute_attainment(session, world.grant)
    assert rows[0]["actual"] == "30" and rows[0]["actual_women"] == "16" and rows[0]["target"] == "40"
    assert rows[1]["actual"] == "30" and "actual_women" not in rows[1]
    # (30/40 + min(30/20, 1)) / 2 = (0.75 + 1) / 2
    assert share == Decimal("0.875")


def test_officer_completes_a_due_evaluation_and_shares_it(client, session, build, now):
    world = build.grant()
    _approved_report(session, world, 1, {0: (20, 10, 10, 0), 1: (20, None, None, None)}, now)
    evaluation = _due_evaluation(session, world)
    login_user(client, world.officer)
    assert "Deltagare" in client.get(f"/monitoring/evaluations/{evaluation.id}").get_data(as_text=True)
    response = client.post(f"/monitoring/evaluations/{evaluation.id}", data=EVALUATION)
    assert response.status_code == 302
    session.expire_all()
    assert evaluation.status == EvaluationStatus.COMPLETED.value
    assert evaluation.rating == 4 and evaluation.recommendation == "scale_up"
    assert evaluation.attainment_share == Decimal("0.75")
    assert evaluation.completed_by_id == world.officer.id
    experience = session.scalar(select(Experience))
    assert experience.lessons == EVALUATION["lessons"]
    assert experience.committee_id == world.committee.id and experience.method == "Samtalsgrupper"
    assert experience.organisation_named is False  # the organisation did not agree to be named
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action.in_(["evaluation.completed", "experience.shared"]))) == 2


def test_an_evaluation_not_shared_creates_no_experience(client, session, build):
    world = build.grant()
    evaluation = _due_evaluation(session, world)
    login_user(client, world.officer)
    client.post(f"/monitoring/evaluations/{evaluation.id}", data={**EVALUATION, "share": ""})
    assert session.scalar(select(func.count()).select_from(Experience)) == 0


def test_a_missing_rating_is_shown_beside_the_field_and_nothing_is_saved(client, session, build):
    world = build.grant()
    evaluation = _due_evaluation(session, world)
    login_user(client, world.officer)
    response = client.post(f"/monitoring/evaluations/{evaluation.id}", data={**EVALUATION, "rating": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="rating-error"' in page and "Samarbete med skolan" in page
    session.expire_all()
    assert evaluation.status == EvaluationStatus.DUE.value


def test_another_committees_officer_and_the_decision_maker_cannot_complete(client, session, build, factory):
    world = build.grant()
    evaluation = _due_evaluation(session, world)
    login_user(client, factory.user(role=Role.OFFICER, committee=factory.committee()))
    assert client.get(f"/monitoring/evaluations/{evaluation.id}").status_code == 403
    assert client.post(f"/monitoring/evaluations/{evaluation.id}", data=EVALUATION).status_code == 403
    login_user(client, factory.user(role=Role.DECISION_MAKER, committee=world.committee))
    assert client.get(f"/monitoring/evaluations/{evaluation.id}").status_code == 200
    assert client.post(f"/monitoring/evaluations/{evaluation.id}", data=EVALUATION).status_code == 403
    login_user(client, world.representative)  # evaluations are internal
    assert client.get(f"/monitoring/evaluations/{evaluation.id}").status_code == 403
    session.expire_all()
    assert evaluation.status == EvaluationStatus.DUE.value


def test_another_officer_of_the_same_committee_may_complete(client, session, build, factory):
    world = build.grant()
    evaluation = _due_evaluation(session, world)
    login_user(client, factory.user(role=Role.OFFICER, committee=world.committee))
    assert client.post(f"/monitoring/evaluations/{evaluation.id}", data=EVALUATION).status_code == 302


def test_due_evaluations_are_listed_for_the_committees_officers_only(client, session, build, factory):
    world = build.grant()
    other = build.grant(title="Annan nämnds bidrag")
    _due_evaluation(session, world)
    login_user(client, world.officer)
    page = client.get("/monitoring/evaluations").get_data(as_text=True)
    assert "Samtalsgrupper för unga" in page and "Annan nämnds bidrag" not in page
    assert other.grant.id


def test_the_evaluation_prints_as_a_pdf_with_swedish_letters(client, session, build, now):
    world = build.grant(title="Samtal för unga i Järva – årets grupp")
    _approved_report(session, world, 1, {0: (20, 10, 10, 0)}, now)
    evaluation = _due_evaluation(session, world)
    login_user(client, world.officer)
    client.post(f"/monitoring/evaluations/{evaluation.id}", data=EVALUATION)
    response = client.get(f"/monitoring/evaluations/{evaluation.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Järva – årets grupp" in text
    assert "Samarbete med skolan ger fler deltagare." in text


def test_the_evaluation_list_issues_the_same_number_of_queries_for_1_and_6_evaluations(client, session, build,
                                                                                      count_queries):
    world = build.grant()
    _due_evaluation(session, world)
    login_user(client, world.officer)
    with count_queries() as few:
        client.get("/monitoring/evaluations")
    for _ in range(5):
        build.grant(committee=world.committee, officer=world.officer)
    scheduler.run_job(session, "due_evaluations", datetime(2027, 3, 2, 6))
    with count_queries() as many:
        page = client.get("/monitoring/evaluations").get_data(as_text=True)
    assert many.count == few.count
    assert page.count("Samtalsgrupper för unga") == 6
