"""The experience bank (read by staff of every committee) and the coordinator's dashboard figures
in the API."""
from __future__ import annotations

from datetime import datetime

from grants import payments
from monitoring.insight import figures
from monitoring.models import Experience
from tests.api.conftest import bearer


def _experience(staff, committee, *, title="Läxhjälp som mötesplats", method="Läxhjälp", target_group="Unga",
                action_area="general", district="Rinkeby", published=True, organisation=None, named=False):
    at = datetime(2026, 3, 1)
    experience = Experience(title=title, summary="Föräldrar kom när vi bjöd på mat.",
                            lessons="Föräldrar kom när vi bjöd på mat.", what_worked="Mat", what_did_not="Lokalen",
                            action_area=action_area, method=method, target_group=target_group, district=district,
                            committee_id=committee.id, organisation_id=organisation.id if organisation else None,
                            organisation_named=named, published=published, created_at=at, updated_at=at)
    staff.session.add(experience)
    staff.session.commit()
    return experience


def test_staff_of_any_committee_search_experiences_by_tags(client, staff):
    homework = _experience(staff, staff.other_committee)
    mentors = _experience(staff, staff.other_committee, title="Mentorer för avhoppare", method="Mentorskap",
                          target_group="Avhoppare", action_area="individual", district="Tensta")
    token = bearer(staff.officer_token)  # another committee than the experiences'

    def titles(query):
        body = client.get(f"/api/v1/experiences?{query}", headers=token)
        assert body.status_code == 200
        return sorted(e["title"] for e in body.json["items"])

    assert titles("") == [homework.title, mentors.title]
    assert titles("action_area=individual") == [mentors.title]
    assert titles("method=mentor") == [mentors.title]
    assert titles("target_group=unga") == [homework.title]
    assert titles("district=tensta") == [mentors.title]
    assert titles("q=föräldrar") == [homework.title, mentors.title]
    assert titles(f"committee={staff.committee.id}") == []
    one = client.get(f"/api/v1/experiences/{mentors.id}", headers=bearer(staff.decider_token)).json
    assert one["method"] == "Mentorskap" and one["committee"]["id"] == staff.other_committee.id


def test_applicants_cannot_read_the_experience_bank(client, staff):
    experience = _experience(staff, staff.committee)
    assert client.get("/api/v1/experiences", headers=bearer(staff.applicant_token)).status_code == 403
    assert client.get(f"/api/v1/experiences/{experience.id}", headers=bearer(staff.applicant_token)).status_code == 403


def test_unpublished_experiences_are_for_coordinators_only(client, staff):
    hidden = _experience(staff, staff.committee, title="Dold", published=False)
    assert client.get("/api/v1/experiences?unpublished=1", headers=bearer(staff.officer_token)).json["total"] == 0
    assert client.get(f"/api/v1/experiences/{hidden.id}", headers=bearer(staff.officer_token)).status_code == 404
    coordinator = bearer(staff.coordinator_token)
    assert client.get("/api/v1/experiences", headers=coordinator).json["total"] == 0
    listed = client.get("/api/v1/experiences?unpublished=1", headers=coordinator).json["items"]
    assert [(e["id"], e["published"]) for e in listed] == [(hidden.id, False)]


def test_the_organisation_is_named_only_if_it_agreed(client, staff):
    organisation = staff.grants.organisation("Förening Öppenhet")
    _experience(staff, staff.committee, title="Namngiven", organisation=organisation, named=True)
    _experience(staff, staff.committee, title="Anonym", organisation=organisation, named=False)
    items = client.get("/api/v1/experiences", headers=bearer(staff.officer_token)).json["items"]
    named = {e["title"]: e["organisation"] for e in items}
    assert named == {"Namngiven": {"id": organisation.id, "name": "Förening Öppenhet"}, "Anonym": None}


# --- dashboard ----------------------------------------------------------------------------------

def test_coordinator_gets_the_dashboard_figures_of_the_page(client, staff, session):
    grant = staff.grant()
    payments.mark_tranche_paid(session, grant.tranches[0], by=staff.officer, now=staff.now)
    session.commit()
    body = client.get("/api/v1/dashboard", headers=bearer(staff.coordinator_token)).json
    assert body["money"]["by_committee"] == [{"key": "Spånga-Tensta stadsdelsnämnd", "grants": 1,
                                              "granted": 40_000_00, "paid": 40_000_00, "withdrawn": 0,
                                              "withdrawn_amount": 0}]
    assert body["money"]["by_area"][0]["key"] == "targeted"
    assert body["statuses"] == {"active": 1, "completed": 0, "withdrawn": 0}
    assert body["reports"] == figures.report_timeliness(session, figures.Filters(), staff.now.date())
    assert sum(body["reports"].values()) == 2  # the plan's interim and final reports, not yet due
    assert body["participants"] == {"women": 0, "men": 0, "other": 0}
    assert [r["evaluations"] for r in body["ratings"]] == [0, 0, 0, 0, 0]


def test_dashboard_filters_narrow_the_figures(client, staff):
    staff.grant()
    token = bearer(staff.coordinator_token)

    def granted(query):
        body = client.get(f"/api/v1/dashboard?{query}", headers=token).json
        return sum(r["granted"] for r in body["money"]["by_committee"])

    assert granted("year=2026") == 40_000_00
    assert granted("year=2025") == 0
    assert granted(f"committee={staff.other_committee.id}") == 0
    assert granted("action_area=general") == 0
    assert granted("district=Tensta") == 0
    assert client.get("/api/v1/dashboard?year=abc", headers=token).status_code == 400
    assert client.get("/api/v1/dashboard?action_area=other", headers=token).status_code == 400


def test_the_dashboard_is_for_coordinators_only(client, staff):
    for token in (staff.officer_token, staff.decider_token, staff.applicant_token):
        assert client.get("/api/v1/dashboard", headers=bearer(token)).status_code == 403
