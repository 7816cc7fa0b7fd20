"""The first endpoints: who am I, committees, organisations, open programmes."""
from __future__ import annotations

import pytest

from grants.models import ProgrammeStatus
from portal.models import Role
from tests.api.conftest import bearer


def test_me_shows_roles_with_their_committees(client, world, factory):
    committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    officer, token = world.user_with_token(Role.OFFICER, committee)
    body = client.get("/api/v1/me", headers=bearer(token)).json
    assert body["email"] == officer.email
    assert body["roles"] == [{"role": "officer", "committee": {"id": committee.id, "name": committee.name}}]


def test_a_logged_in_page_session_may_read_but_not_without_login(client, login_as):
    assert client.get("/api/v1/me").status_code == 401
    user = login_as(Role.APPLICANT)
    assert client.get("/api/v1/me").json["id"] == user.id


def test_committees_are_listed_for_any_user_and_paginated(client, applicant, factory):
    for n in range(3):
        factory.committee(f"Nämnd {n:02d} test")
    _user, token = applicant
    body = client.get("/api/v1/committees?per_page=2&page=2", headers=bearer(token)).json
    assert body["page"] == 2 and body["per_page"] == 2 and body["total"] == 3
    assert [c["name"] for c in body["items"]] == ["Nämnd 02 test"]
    assert client.get("/api/v1/committees").status_code == 401


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=abc", "page=0"])
def test_bad_pagination_is_a_400_naming_the_parameter(client, applicant, query):
    _user, token = applicant
    response = client.get(f"/api/v1/committees?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {query.split("=")[0]}


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_applicant_sees_only_the_organisations_they_act_for(client, world, applicant):
    user, token = applicant
    own = world.organisation("Egen förening", representatives=[user])
    world.organisation("Annan förening")
    body = client.get("/api/v1/organisations", headers=bearer(token)).json
    assert [o["id"] for o in body["items"]] == [own.id] and body["total"] == 1


def test_applicant_gets_404_for_another_organisation(client, world, applicant):
    user, token = applicant
    own = world.organisation("Egen förening", representatives=[user])
    other = world.organisation("Annan förening")
    assert client.get(f"/api/v1/organisations/{own.id}", headers=bearer(token)).json["name"] == "Egen förening"
    response = client.get(f"/api/v1/organisations/{other.id}", headers=bearer(token))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/organisations/999999", headers=bearer(token)).status_code == 404


def test_admin_without_a_staff_role_does_not_see_the_register(client, world):
    _admin, token = world.user_with_token(Role.ADMIN)
    org = world.organisation("Förening")
    assert client.get("/api/v1/organisations", headers=bearer(token)).json["total"] == 0
    assert client.get(f"/api/v1/organisations/{org.id}", headers=bearer(token)).status_code == 404


def test_staff_see_the_whole_register_with_filters(client, world):
    _officer, token = world.user_with_token(Role.OFFICER)
    world.organisation("Tensta ungdomsförening", districts=["Spånga-Tensta"])
    world.organisation("Kista 100% idrott", districts=["Rinkeby-Kista"], status="barred")
    world.organisation("Kulturföreningen", districts=["Rinkeby-Kista"])

    def names(query):
        body = client.get(f"/api/v1/organisations?{query}", headers=bearer(token)).json
        return sorted(o["name"] for o in body["items"])

    assert len(names("")) == 3
    assert names("district=Rinkeby-Kista") == ["Kista 100% idrott", "Kulturföreningen"]
    assert names("status=barred") == ["Kista 100% idrott"]
    assert names("name=UNGDOM") == ["Tensta ungdomsförening"]
    assert names("name=100%25") == ["Kista 100% idrott"]  # % is matched literally
    assert client.get("/api/v1/organisations?status=closed", headers=bearer(token)).status_code == 400


def test_organisation_list_queries_do_not_grow_with_the_data(client, world, count_queries):
    _coordinator, token = world.user_with_token(Role.COORDINATOR)
    world.organisation("A", districts=["Bromma"])
    client.get("/api/v1/me", headers=bearer(token))  # the token's first use writes last_used_at
    with count_queries() as few:
        client.get("/api/v1/organisations", headers=bearer(token))
    for n in range(6):
        world.organisation(f"B{n}", districts=["Bromma", "Farsta"])
    with count_queries() as many:
        body = client.get("/api/v1/organisations", headers=bearer(token)).json
    assert body["total"] == 7 and body["items"][-1]["districts"] == ["Bromma", "Farsta"]
    assert many.count == few.count
    # The token with its user and the user's roles in one query, then the page with its total and
    # districts in one query: the token is not read again after an unneeded commit, nor the districts apart.
    assert few.count == 2


def test_an_organisation_list_page_past_the_end_still_gives_the_total(client, world):
    _officer, token = world.user_with_token(Role.OFFICER)
    for n in range(3):
        world.organisation(f"Förening {n}", districts=["Bromma"])
    body = client.get("/api/v1/organisations?name=FÖRENING&per_page=2&page=2", headers=bearer(token)).json
    assert [o["name"] for o in body["items"]] == ["Förening 2"] and body["total"] == 3
    body = client.get("/api/v1/organisations?name=förening&per_page=2&page=5", headers=bearer(token)).json
    assert body["items"] == [] and body["total"] == 3 and body["page"] == 5
    assert client.get("/api/v1/organisations?name=ingen", headers=bearer(token)).json["total"] == 0


def test_open_programmes_are_public_and_filtered(client, world, factory):
    rinkeby, farsta = factory.committee("Rinkeby-Kista snd"), factory.committee("Farsta snd")
    world.programme(rinkeby, "Öppen riktad", districts=["Rinkeby-Kista", "Spånga-Tensta"])
    world.programme(farsta, "Öppen allmän", action_area="general", districts=["Farsta"])
    world.programme(rinkeby, "Utkast", status=ProgrammeStatus.DRAFT)
    world.programme(rinkeby, "Stängd", closes=-1)
    world.programme(rinkeby, "Framtida", opens=5)

    def titles(query=""):
        return sorted(p["title"] for p in client.get(f"/api/v1/programmes?{query}").json["items"])

    assert titles() == ["Öppen allmän", "Öppen riktad"]
    assert titles(f"committee={farsta.id}") == ["Öppen allmän"]
    assert titles("action_area=targeted") == ["Öppen riktad"]
    assert titles("district=Spånga-Tensta") == ["Öppen riktad"]
    assert titles("district=Spånga") == []  # a whole district name, not a part of one


def test_programme_detail_shows_only_open_programmes(client, world, factory):
    committee = factory.committee()
    open_one = world.programme(committee, "Öppen")
    draft = world.programme(committee, "Utkast", status=ProgrammeStatus.DRAFT)
    body = client.get(f"/api/v1/programmes/{open_one.id}").json
    assert body["budget"] == 100_000_00 and body["committee"]["id"] == committee.id
    assert client.get(f"/api/v1/programmes/{draft.id}").status_code == 404


def test_programme_list_queries_do_not_grow_with_the_data(client, world, factory, count_queries):
    committee = factory.committee()
    world.programme(committee)
    with count_queries() as few:
        client.get("/api/v1/programmes")
    for n in range(5):
        world.programme(factory.committee(), f"P{n}")
    with count_queries() as many:
        assert client.get("/api/v1/programmes").json["total"] == 6
    assert many.count == few.count
