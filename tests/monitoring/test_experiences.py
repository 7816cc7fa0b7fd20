"""The experience bank: search by every committee, curation by coordinators, the application panel."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from monitoring.models import Experience
from portal.models import AuditEvent, Role
from tests.monitoring.conftest import login_user


def _experience(session, committee, *, title="Läxhjälp som mötesplats", method="Läxhjälp", target_group="Unga",
                action_area="general", lessons="Föräldrar kom när vi bjöd på mat.", organisation=None,
                named=False, published=True, district="Rinkeby"):
    now = datetime(2026, 3, 1)
    experience = Experience(title=title, summary=lessons, lessons=lessons, what_worked="Mat", what_did_not="Lokalen",
                            action_area=action_area, method=method, target_group=target_group, district=district,
                            committee_id=committee.id, organisation_id=organisation.id if organisation else None,
                            organisation_named=named, published=published, created_at=now, updated_at=now)
    session.add(experience)
    session.commit()
    return experience


def test_an_officer_finds_another_committees_experience_by_words_and_tags(client, session, factory):
    mine, theirs = factory.committee("Bromma stadsdelsnämnd"), factory.committee("Farsta stadsdelsnämnd")
    _experience(session, theirs)
    _experience(session, theirs, title="Mentorer för avhoppare", method="Mentorskap", action_area="individual",
                lessons="Långsiktiga relationer bär.")
    login_user(client, factory.user(role=Role.OFFICER, committee=mine))
    page = client.get("/monitoring/experiences?q=föräldrar").get_data(as_text=True)
    assert "Läxhjälp som mötesplats" in page and "Mentorer för avhoppare" not in page
    page = client.get("/monitoring/experiences?action_area=individual").get_data(as_text=True)
    assert "Mentorer för avhoppare" in page and "Läxhjälp som mötesplats" not in page
    page = client.get(f"/monitoring/experiences?committee_id={mine.id}").get_data(as_text=True)
    assert "Mentorer för avhoppare" not in page


def test_a_search_ignores_the_case_of_swedish_letters_on_every_database(client, session, factory):
    committee = factory.committee("Bromma stadsdelsnämnd")
    _experience(session, committee, title="Öppen förskola för nyanlända", lessons="Ärliga samtal öppnade dörrar.")
    login_user(client, factory.user(role=Role.OFFICER, committee=committee))
    for words in ("öppen", "ÖPPEN FÖRSKOLA", "ärliga"):
        page = client.get(f"/monitoring/experiences?q={words}").get_data(as_text=True)
        assert "Öppen förskola för nyanlända" in page, words


def test_applicants_cannot_search_the_experience_bank(client, session, factory):
    _experience(session, factory.committee())
    login_user(client, factory.user(role=Role.APPLICANT))
    assert client.get("/monitoring/experiences").status_code == 403


def test_the_search_page_issues_the_same_number_of_queries_for_3_and_30_experiences(client, session, factory,
                                                                                     count_queries):
    committees = [factory.committee() for _ in range(3)]
    for committee in committees:
        _experience(session, committee)
    login_user(client, factory.user(role=Role.OFFICER, committee=committees[0]))
    with count_queries() as few:
        client.get("/monitoring/experiences")
    for i in range(27):
        _experience(session, factory.committee() if i % 3 == 0 else committees[i % 3])
    with count_queries() as many:
        page = client.get("/monitoring/experiences").get_data(as_text=True)
    assert many.count == few.count
    assert "30 erfarenheter" in page
    # The user with their roles, the committees for the filter (which also name each result's
    # committee), then the page with its total in one query.
    assert few.count == 3


def test_the_organisation_is_named_only_if_it_agreed(client, session, factory, build):
    committee = factory.committee()
    agreed = build.organisation(name="Förening Ja", consents=True)
    declined = build.organisation(name="Förening Nej", consents=False)
    yes = _experience(session, committee, organisation=agreed, named=True)
    no = _experience(session, committee, organisation=declined, named=False)
    login_user(client, factory.user(role=Role.OFFICER, committee=committee))
    assert "Förening Ja" in client.get(f"/monitoring/experiences/{yes.id}").get_data(as_text=True)
    assert "Förening Nej" not in client.get(f"/monitoring/experiences/{no.id}").get_data(as_text=True)


def test_coordinator_edits_the_wording_and_unpublishes_then_republishes(client, session, factory):
    committee = factory.committee()
    experience = _experience(session, committee)
    coordinator = factory.user(role=Role.COORDINATOR)
    officer = factory.user(role=Role.OFFICER, committee=committee)

    login_user(client, officer)
    assert client.post(f"/monitoring/experiences/{experience.id}/edit",
                       data={"title": "X", "lessons": "Y"}).status_code == 403

    login_user(client, coordinator)
    response = client.post(f"/monitoring/experiences/{experience.id}/edit", data={
        "title": "Läxhjälp med mat", "summary": "Kort", "what_worked": "Mat", "what_did_not": "Lokalen",
        "lessons": "Föräldrar kom när vi bjöd på mat."})
    assert response.status_code == 302
    client.post(f"/monitoring/experiences/{experience.id}/publication", data={"publish": "0", "reason": "Namn i texten"})
    session.expire_all()
    assert experience.title == "Läxhjälp med mat" and experience.published is False

    login_user(client, officer)
    assert "Läxhjälp med mat" not in client.get("/monitoring/experiences").get_data(as_text=True)
    assert client.get(f"/monitoring/experiences/{experience.id}").status_code == 404

    login_user(client, coordinator)
    client.post(f"/monitoring/experiences/{experience.id}/publication", data={"publish": "1"})
    session.expire_all()
    assert experience.published is True
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "experience")
                              .order_by(AuditEvent.id)).all()
    assert actions == ["experience.edited", "experience.unpublished", "experience.published"]


def test_the_application_panel_shows_experiences_with_the_same_method_target_group_or_named_organisation(
        app, session, factory, build, client, count_queries):
    committee = factory.committee()
    org = build.organisation(consents=True)
    _experience(session, committee, title="Samma metod", method="Läxhjälp", target_group="Vuxna")
    _experience(session, committee, title="Samma målgrupp", method="Idrott", target_group="Unga 15-25")
    _experience(session, committee, title="Samma förening", method="Teater", target_group="Äldre",
                organisation=org, named=True)
    _experience(session, committee, title="Inget gemensamt", method="Dans", target_group="Barn")
    _experience(session, committee, title="Avpublicerad", method="Läxhjälp", published=False)
    world = build.grant(organisation=org, method="läxhjälp", target_group="Unga 15-25")
    officer = factory.user(role=Role.OFFICER, committee=committee)
    login_user(client, officer)
    panel_fn = app.extensions["application_panels"][0]
    from portal.auth.sessions import start_session
    from portal.clock import utcnow

    start_session(session, officer, now=utcnow())  # the server-side session a login starts
    session.flush()
    with app.test_request_context():
        from flask_login import login_user as flask_login_user

        flask_login_user(officer)
        assert officer.is_staff  # the logged-in user is loaded before the page renders panels
        assert world.application.method  # loaded by the application page before the panels
        with count_queries() as counter:
            html = str(panel_fn(world.application))
    assert "Samma metod" in html and "Samma målgrupp" in html and "Samma förening" in html
    assert "Inget gemensamt" not in html and "Avpublicerad" not in html
    assert counter.count == 1
