"""The whole flow through the pages, and object-level access on every route."""
import re
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grants.models import Application, Decision, Grant, Programme, Review, Tranche
from portal.models import AuditEvent, OutboxMessage, Role
from tests.conftest import login


def _login(client, user):
    client.post("/logout")
    assert login(client, user.email).status_code == 302


def test_public_page_lists_open_programmes_with_filters_and_a_welcome_link(client, world, factory, session, now):
    rinkeby, bromma = factory.committee("Rinkeby-Kista stadsdelsnämnd"), factory.committee("Bromma stadsdelsnämnd")
    open_one = world.programme(rinkeby, area="targeted")
    other_area = world.programme(bromma, area="individual")
    draft = world.programme(rinkeby, published=False)
    closed = world.programme(rinkeby, opens=-30, closes=-1)
    page = client.get("/programmes").get_data(as_text=True)
    assert open_one.title in page and other_area.title in page
    assert draft.title not in page and closed.title not in page
    filtered = client.get(f"/programmes?committee={bromma.id}").get_data(as_text=True)
    assert other_area.title in filtered and open_one.title not in filtered
    assert open_one.title in client.get("/programmes?area=targeted").get_data(as_text=True)
    assert other_area.title not in client.get("/programmes?area=targeted").get_data(as_text=True)
    assert open_one.title in client.get("/programmes?district=Rinkeby-Kista").get_data(as_text=True)
    assert open_one.title not in client.get("/programmes?district=Farsta").get_data(as_text=True)
    other_area.districts = ["Spånga-Tensta"]
    session.commit()
    by_district = client.get("/programmes?district=Spånga-Tensta").get_data(as_text=True)
    assert other_area.title in by_district and open_one.title not in by_district
    assert 'href="/programmes"' in client.get("/").get_data(as_text=True)
    assert client.get(f"/programmes/{draft.id}").status_code == 404


def test_public_list_queries_do_not_grow_with_programmes(client, world, factory, count_queries):
    committee = factory.committee()
    world.programme(committee)
    with count_queries() as few:
        client.get("/programmes")
    for _ in range(6):
        world.programme(factory.committee())
    with count_queries() as many:
        html = client.get("/programmes").get_data(as_text=True)
    assert many.count == few.count and html.count('href="/programmes/') == 7
    # The page with its committees' names and its total, then the committees for the filter: no
    # query for criteria the list does not show, nor a count of its own.
    assert few.count == 2


def test_officer_creates_and_publishes_a_programme_with_criteria_in_kronor(client, factory, session):
    committee = factory.committee("Spånga-Tensta stadsdelsnämnd")
    officer = factory.user(role=Role.OFFICER, committee=committee)
    _login(client, officer)
    response = client.post("/staff/programmes/new", data={
        "committee_id": committee.id, "title": "Föräldrastöd", "description": "Stöd till anhöriga",
        "action_area": "individual", "target_groups": "anhöriga, unga", "districts": "Spånga-Tensta",
        "budget": "1 000 000", "max_per_grant": "150 000,50", "opens_on": "2026-03-01", "closes_on": "2026-05-01",
        "reporting_rhythm": "final", "criteria_rows-0-name": "Relevans", "criteria_rows-0-weight": "3",
        "criteria_rows-1-name": "Kostnad", "criteria_rows-1-weight": "1"})
    assert response.status_code == 302
    programme = session.scalar(select(Programme))
    assert programme.budget == 1_000_000_00 and programme.max_per_grant == 150_000_50
    assert [(c.name, c.weight) for c in programme.criteria] == [("Relevans", 3), ("Kostnad", 1)]
    client.post(f"/staff/programmes/{programme.id}/publish")
    session.refresh(programme)
    assert programme.status == "published"
    assert "Föräldrastöd" in client.get("/programmes").get_data(as_text=True)


def test_officer_of_another_committee_cannot_edit_or_publish(client, world, factory, session):
    programme = world.programme(factory.committee(), published=False)
    outsider = factory.user(role=Role.OFFICER)
    _login(client, outsider)
    assert client.get(f"/staff/programmes/{programme.id}").status_code == 403
    assert client.post(f"/staff/programmes/{programme.id}/publish").status_code == 403
    assert client.post(f"/staff/programmes/{programme.id}", data={"title": "Kapad"}).status_code == 403
    _login(client, factory.user(role=Role.APPLICANT))
    assert client.get("/staff/programmes/new").status_code == 403
    session.refresh(programme)
    assert programme.status == "draft"


def _fill_application_by_pages(client, programme, organisation):
    response = client.post(f"/programmes/{programme.id}/apply", data={"organisation_id": organisation.id})
    assert response.status_code == 302
    app_url = response.location.rsplit("/step/", 1)[0]
    steps = {
        1: {"title": "Dialogkvällar i Rinkeby"},
        2: {"aims": "Stärka demokratin", "activities": "Dialogkvällar", "method": "Samtal", "target_group": "Unga"},
        3: {"women_0-17": "12", "men_0-17": "10", "other_18-25": "1"},
        4: {"period_start": "2026-04-01", "period_end": "2026-12-31", "budget_rows-0-category": "Lokal",
            "budget_rows-0-amount": "60 000", "budget_rows-0-own_funding": "5 000",
            "budget_rows-0-other_funding": "5 000", "requested_amount": "40 000,50"},
        5: {"partners": "Biblioteket", "attachment": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "budget.pdf")},
    }
    for step, data in steps.items():
        response = client.post(f"{app_url}/step/{step}", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:3000])
    return app_url


def test_whole_flow_from_application_to_decision_letter(client, scenario, world, factory, session, now):
    s = scenario
    _login(client, s.applicant)
    app_url = _fill_application_by_pages(client, s.programme, s.organisation)
    application = session.scalar(select(Application).where(Application.title == "Dialogkvällar i Rinkeby"))
    assert application.requested_amount == 40_000_50 and application.last_step == 6
    assert len(application.attachments) == 1
    # resume at the last step
    assert client.get(app_url).location.endswith("/step/6")
    response = client.post(f"{app_url}/submit")
    assert "receipt=1" in response.location
    receipt = client.get(response.location).get_data(as_text=True).replace("\xa0", " ")
    session.refresh(application)
    assert application.reference in receipt and application.status == "submitted"
    assert "40 000,50" in receipt
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == s.applicant.email,
                                                      OutboxMessage.subject.contains(application.reference)))
    # frozen
    assert client.post(f"{app_url}/step/1", data={"title": "Ändrad"}).status_code == 302
    session.refresh(application)
    assert application.title == "Dialogkvällar i Rinkeby"

    # officer: review (self-assign, declare no conflict, score) and the plan
    _login(client, s.officer)
    assert application.reference in client.get("/staff/applications").get_data(as_text=True)
    client.post(f"/staff/applications/{application.id}/review-myself")
    review = session.scalar(select(Review).where(Review.application_id == application.id))
    client.post(f"/staff/reviews/{review.id}", data={"conflict-has_conflict": "no"})
    relevance, feasibility = s.programme.criteria
    client.post(f"/staff/reviews/{review.id}", data={
        f"score_{relevance.id}": "4", f"score_{feasibility.id}": "1", "review-recommendation": "approve",
        "review-comment": "Bra"})
    detail = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "3.00" in detail  # (4*2 + 1*1) / 3
    response = client.post(f"/staff/applications/{application.id}/plan", data={
        "responsible_officer_id": s.officer.id,
        "indicator_rows-0-objective": "Fler unga deltar", "indicator_rows-0-name": "Deltagare",
        "indicator_rows-0-unit": "personer", "indicator_rows-0-baseline": "0", "indicator_rows-0-target": "25",
        "indicator_rows-0-by_gender": "y",
        "milestone_rows-0-kind": "interim", "milestone_rows-0-due_on": "2026-08-31",
        "milestone_rows-1-kind": "final", "milestone_rows-1-due_on": "2027-01-31",
        "evaluation_rows-0-due_on": "2027-03-01"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    # decision maker approves with two tranches
    _login(client, s.decider)
    session.refresh(application)
    form = client.get(f"/staff/applications/{application.id}/decide").get_data(as_text=True)
    assert f'value="{application.version}"' in form
    milestone = application.plan.milestones[0]
    response = client.post(f"/staff/applications/{application.id}/decide", data={
        "version": application.version, "outcome": "approve", "amount": "", "reasons": "Väl förankrat i området.",
        "conditions": "Redovisa deltagare per kön.",
        "tranche_rows-0-due_on": "2026-04-01", "tranche_rows-0-amount": "30 000", "tranche_rows-0-condition": "none",
        "tranche_rows-1-due_on": "2026-09-01", "tranche_rows-1-amount": "10 000,50",
        "tranche_rows-1-condition": f"m{milestone.id}"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    grant = session.scalar(select(Grant))
    assert grant.amount == 40_000_50 and [t.amount for t in grant.tranches] == [30_000_00, 10_000_50]

    # the organisation downloads the letter and sees its grant
    _login(client, s.applicant)
    response = client.get(f"/applications/{application.id}/decision-letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages).replace("\xa0", " ")
    assert "Beslut om bidrag" in text and "Beviljad" in text
    assert "40 000,50" in text and "laglighetsprövning" in text
    assert "Väl förankrat i området." in text and "2027-01-31" in text and "2027-03-01" in text
    assert "Förening Gemenskap i Rinkeby" in text and "Rinkeby-Kista stadsdelsnämnd" in text
    grants_page = client.get(f"/grants/{grant.id}").get_data(as_text=True).replace("\xa0", " ")
    assert "30 000,00" in grants_page and "2027-01-31" in grants_page
    assert application.reference in client.get("/my/grants").get_data(as_text=True)

    # the officer releases and pays the first tranche
    _login(client, s.officer)
    first = grant.tranches[0]
    client.post(f"/tranches/{first.id}/release")
    client.post(f"/tranches/{first.id}/paid")
    session.refresh(first)
    assert first.status == "paid"
    second = grant.tranches[1]
    client.post(f"/tranches/{second.id}/release")
    session.refresh(second)
    assert second.status == "scheduled"  # waits for the interim report
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"application.submitted", "review.conflict_declared", "review.submitted", "follow_up_plan.saved",
            "decision.made", "grant.created", "tranche.released", "tranche.paid"} <= actions


def test_letter_is_in_english_for_an_english_speaking_applicant(scenario, world, session, now):
    from grants import services

    scenario.applicant.locale = "en"
    session.commit()
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    decision = services.decide(session, scenario.application, outcome="reject", amount=None,
                               reasons="Outside the programme's aims.", conditions="", tranches=None,
                               expected_version=scenario.application.version, by=scenario.decider, now=now)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(decision.letter_pdf)).pages)
    text = " ".join(text.split())
    assert "Decision on grant application" in text and "Rejected" in text and "three weeks" in text


def test_submission_refusal_is_shown_with_its_reason(client, scenario, session):
    scenario.organisation.status = "barred"
    session.commit()
    _login(client, scenario.applicant)
    response = client.post(f"/my/applications/{scenario.application.id}/submit", follow_redirects=True)
    assert "spärrad" in response.get_data(as_text=True)
    session.refresh(scenario.application)
    assert scenario.application.status == "draft"


def _error_beside(page: str, field_id: str) -> str:
    """The message shown beside a field (macros/forms.html), or "" if there is none."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return found.group(1).strip() if found else ""


def test_requested_amount_over_budget_is_shown_beside_the_field(client, scenario, session):
    _login(client, scenario.applicant)
    response = client.post(f"/my/applications/{scenario.application.id}/step/4", data={
        "period_start": "2026-04-01", "period_end": "2026-12-31", "budget_rows-0-category": "Lokal",
        "budget_rows-0-amount": "10 000", "requested_amount": "20 000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Det sökta beloppet" in _error_beside(page, "requested_amount") and 'value="20 000"' in page


def test_a_refused_step_form_answers_422_and_keeps_the_input_beside_the_message(client, scenario, session):
    application = scenario.application
    _login(client, scenario.applicant)
    response = client.post(f"/my/applications/{application.id}/step/4", data={
        "period_start": "2026-12-31", "period_end": "2026-04-01", "budget_rows-0-category": "Lokalhyra",
        "budget_rows-0-amount": "30 000", "requested_amount": "25 000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error_beside(page, "period_end") == "Perioden kan inte sluta innan den börjar."
    assert 'value="2026-12-31"' in page and 'value="2026-04-01"' in page
    assert 'value="Lokalhyra"' in page and 'value="30 000"' in page and 'value="25 000"' in page
    session.expire_all()
    assert application.period_start == date(2026, 4, 1) and application.requested_amount == 40_000_00


def test_stale_decision_form_is_refused_and_shown(client, scenario, world, session, now):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    old_version = scenario.application.version
    services.return_for_completion(session, scenario.application, message="Komplettera", by=scenario.officer,
                                   now=now)
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.commit()
    _login(client, scenario.decider)
    response = client.post(f"/staff/applications/{scenario.application.id}/decide", data={
        "version": old_version, "outcome": "reject", "reasons": "Nej"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # Not one field's fault: the message stands above the form.
    summary = page[page.index('<div class="error-summary"'):page.index("<form", page.index("<h1"))]
    assert "Någon annan" in summary
    assert session.scalar(select(Decision)) is None


def test_a_refused_decision_form_answers_422_and_keeps_the_input_beside_the_message(client, scenario, world,
                                                                                     session, now):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    world.complete_plan(scenario.application, scenario.officer)
    session.commit()
    _login(client, scenario.decider)
    response = client.post(f"/staff/applications/{scenario.application.id}/decide", data={
        "version": scenario.application.version, "outcome": "partly_approve", "amount": "",
        "reasons": "Delvis förankrat i området.", "conditions": "Redovisa per kvartal."})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error_beside(page, "amount") == "Ange beviljat belopp."
    assert '<option selected value="partly_approve">' in page
    assert "Delvis förankrat i området.</textarea>" in page and "Redovisa per kvartal.</textarea>" in page
    assert session.scalar(select(Decision)) is None


def test_a_refused_review_form_answers_422_and_keeps_the_scores_beside_the_message(client, scenario, session,
                                                                                   now):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    review = services.assign_reviewer(session, scenario.application, reviewer=scenario.officer,
                                      by=scenario.officer, now=now)
    services.declare_conflict(session, review, has_conflict=False, reason="", by=scenario.officer, now=now)
    session.commit()
    relevance, feasibility = scenario.programme.criteria
    _login(client, scenario.officer)
    response = client.post(f"/staff/reviews/{review.id}", data={
        f"score_{relevance.id}": "4", f"comment_{relevance.id}": "Tydlig koppling till målen",
        f"score_{feasibility.id}": "2", "review-recommendation": "", "review-comment": "Rimlig plan"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error_beside(page, "review-recommendation") == "Välj en rekommendation."
    assert '<option value="4" selected>' in page and '<option value="2" selected>' in page
    assert "Tydlig koppling till målen</textarea>" in page and "Rimlig plan</textarea>" in page
    session.expire_all()
    assert review.submitted_at is None and not review.scores


@pytest.fixture
def decided(scenario, world, session, now):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    review = services.assign_reviewer(session, scenario.application, reviewer=scenario.officer, by=scenario.officer,
                                      now=now)
    world.complete_plan(scenario.application, scenario.officer)
    services.decide(session, scenario.application, outcome="approve", amount=None, reasons="Bra", conditions="",
                    tranches=None, expected_version=scenario.application.version, by=scenario.decider, now=now)
    session.commit()
    scenario.review = review
    scenario.grant = session.scalar(select(Grant))
    return scenario


def _staff_urls(s):
    a = s.application.id
    return [f"/staff/applications/{a}", f"/staff/applications/{a}/plan", f"/staff/reviews/{s.review.id}",
            f"/applications/{a}/decision-letter.pdf", f"/grants/{s.grant.id}"]


def _write_urls(s):
    a, t = s.application.id, s.grant.tranches[0].id
    return [f"/staff/applications/{a}/assign", f"/staff/applications/{a}/return", f"/staff/applications/{a}/screen",
            f"/staff/applications/{a}/review-myself", f"/staff/applications/{a}/plan",
            f"/staff/applications/{a}/decide", f"/tranches/{t}/release", f"/tranches/{t}/paid",
            f"/tranches/{t}/cancel", f"/grants/{s.grant.id}/claims", f"/my/applications/{a}/withdraw",
            f"/my/applications/{a}/submit", f"/my/applications/{a}/step/1"]


@pytest.mark.parametrize("who", ["other_committee_officer", "other_committee_decider", "other_applicant"])
def test_wrong_committee_and_wrong_organisation_are_refused_everywhere(client, decided, factory, world, session, who):
    if who == "other_applicant":
        user = factory.user(role=Role.APPLICANT)
        world.organisation(representative=user)
    else:
        user = factory.user(role=Role.OFFICER if who == "other_committee_officer" else Role.DECISION_MAKER)
    _login(client, user)
    for url in _staff_urls(decided) + [f"/my/applications/{decided.application.id}"]:
        assert client.get(url).status_code == 403, url
    for url in _write_urls(decided):
        assert client.post(url, data={"message": "x", "amount": "1", "reason": "x"}).status_code == 403, url
    session.expire_all()
    assert all(t.status == "scheduled" for t in session.scalars(select(Tranche)))
    assert decided.application.reference not in client.get("/my/applications").get_data(as_text=True)
    assert decided.application.reference not in client.get("/my/grants").get_data(as_text=True)


def test_coordinator_sees_all_committees_read_only(client, decided, factory, session):
    _login(client, factory.user(role=Role.COORDINATOR))
    assert decided.application.reference in client.get("/staff/applications").get_data(as_text=True)
    assert client.get(f"/staff/applications/{decided.application.id}").status_code == 200
    assert client.get(f"/applications/{decided.application.id}/decision-letter.pdf").status_code == 200
    assert client.post(f"/tranches/{decided.grant.tranches[0].id}/release").status_code == 403
    assert client.post(f"/staff/applications/{decided.application.id}/return", data={"message": "x"}).status_code == 403


def test_applicant_cannot_open_staff_pages_of_their_own_application(client, decided):
    _login(client, decided.applicant)
    assert client.get(f"/staff/applications/{decided.application.id}").status_code == 403
    assert client.get("/staff/applications").status_code == 403
    assert client.post(f"/tranches/{decided.grant.tranches[0].id}/release").status_code == 403


def test_officer_cannot_decide_and_decider_cannot_release(client, decided, world, factory, session, now):
    _login(client, decided.decider)
    assert client.post(f"/tranches/{decided.grant.tranches[0].id}/release").status_code == 403
    applicant = factory.user(role=Role.APPLICANT)
    from grants import services
    other = world.filled_application(decided.programme, world.organisation(representative=applicant), applicant)
    services.submit_application(session, other, by=applicant, now=now)
    session.commit()
    _login(client, decided.officer)
    assert client.get(f"/staff/applications/{other.id}/decide").status_code == 403


def test_staff_list_pages_do_not_grow_queries_with_data(client, scenario, world, factory, session, now,
                                                        count_queries):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.commit()
    _login(client, scenario.officer)
    with count_queries() as few:
        client.get("/staff/applications")
    for _ in range(5):
        applicant = factory.user(role=Role.APPLICANT)
        app = world.filled_application(scenario.programme, world.organisation(representative=applicant), applicant)
        services.submit_application(session, app, by=applicant, now=now)
    session.commit()
    with count_queries() as many:
        client.get("/staff/applications")
    assert many.count == few.count
    # The user with their roles, then the page with each row's organisation, committee and eligibility
    # badge in one query, and its count: no query per relationship or for the badges.
    assert few.count == 3


def test_the_staff_list_shows_each_committee_its_own_submitted_applications_and_the_coordinator_all(
        client, scenario, world, factory, session, now):
    from grants import services

    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    other_committee = factory.committee("Farsta stadsdelsnämnd")
    other_applicant = factory.user(role=Role.APPLICANT)
    other = world.filled_application(world.programme(other_committee),
                                     world.organisation("Farsta Idrottsförening", representative=other_applicant),
                                     other_applicant)
    services.submit_application(session, other, by=other_applicant, now=now)
    draft = world.filled_application(scenario.programme, scenario.organisation, scenario.applicant)
    draft.title = "Ett utkast som ingen handläggare ser"
    session.commit()

    _login(client, scenario.officer)
    client.get("/language/en")
    html = client.get("/staff/applications").get_data(as_text=True)
    assert scenario.application.reference in html and other.reference not in html and draft.title not in html
    assert "Förening Gemenskap i Rinkeby" in html and "Rinkeby-Kista stadsdelsnämnd" in html
    assert 'data-eligibility="' in html
    assert scenario.application.reference not in client.get("/staff/applications?status=decided").get_data(
        as_text=True)
    _login(client, factory.user(role=Role.COORDINATOR))
    client.get("/language/en")
    html = client.get("/staff/applications").get_data(as_text=True)
    assert scenario.application.reference in html and other.reference in html and draft.title not in html
    assert "Farsta Idrottsförening" in html and "Farsta stadsdelsnämnd" in html
