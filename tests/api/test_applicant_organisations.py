"""An applicant registers an organisation and signs its democracy declaration through the API, under
the same rules as the registration and declaration pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from organisations.models import JoinRequest, Organisation
from portal.models import Role
from tests.api.applicant_world import audit_actions, mails_to
from tests.api.conftest import bearer

REGISTRATION = {
    "org_number": "802400-0005", "name": "Föreningen Ängen", "legal_form": "non_profit_association",
    "city": "Stockholm", "postal_code": "16355", "email": "info@angen.example",
    "payment_account_type": "bankgiro", "payment_account": "5050-1055",
    "members": {"women": 12, "men": 9}, "districts": ["Rinkeby-Kista"],
    "board": [{"name": "Åsa Andersson", "role": "Ordförande", "authorised_signatory": True},
              {"name": "Bo Berg", "role": "Kassör"}],
}


def register(client, token, **changes):
    return client.post("/api/v1/organisations", headers=bearer(token), json={**REGISTRATION, **changes})


def test_applicant_registers_an_organisation_and_becomes_its_representative(client, session, applicant):
    user, token = applicant
    response = register(client, token)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["outcome"] == "registered" and body["join_request"] is None
    org = body["organisation"]
    assert org["org_number"] == "8024000005" and org["postal_code"] == "163 55" and org["members"]["women"] == 12
    assert [b["name"] for b in org["board"] if b["authorised_signatory"]] == ["Åsa Andersson"]
    assert audit_actions(session, "organisation", org["id"]) == ["organisation.registered"]
    listed = client.get("/api/v1/organisations", headers=bearer(token)).json
    assert [o["id"] for o in listed["items"]] == [org["id"]]


def test_an_already_registered_number_becomes_a_request_to_join(client, session, world, applicant):
    first_user, first_token = applicant
    register(client, first_token)
    _second, second_token = world.user_with_token(Role.APPLICANT)
    response = register(client, second_token, name="Annat namn")
    assert response.status_code == 201
    body = response.json
    assert body["outcome"] == "join_requested" and body["organisation"] is None
    assert body["join_request"]["status"] == "pending"
    assert session.get(JoinRequest, body["join_request"]["id"]) is not None
    assert mails_to(session, first_user.email), "the representatives are asked to approve"
    # The first representative registering it again: already theirs.
    again = register(client, first_token)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


@pytest.mark.parametrize("changes, field", [
    ({"org_number": "802400-0006"}, "org_number"),  # wrong check digit
    ({"districts": ["Atlantis"]}, "districts"),
    ({"board": [{"name": "Åsa", "role": "Ordförande"}]}, "board"),  # nobody may sign
    ({"payment_account": "5050-1056"}, "payment_account"),
])
def test_registration_refused_by_a_rule_is_a_422_beside_the_field(client, session, applicant, changes, field):
    _user, token = applicant
    response = register(client, token, **changes)
    assert response.status_code == 422 and field in response.json["error"]["fields"], response.json
    assert session.scalar(select(Organisation)) is None


@pytest.mark.parametrize("payload", [{"name": "Bara namn"}, {**REGISTRATION, "members": {"women": -1}},
                                     {**REGISTRATION, "legal_form": "kommun"}, {**REGISTRATION, "secret": 1}])
def test_a_malformed_registration_is_a_400(client, applicant, payload):
    _user, token = applicant
    response = client.post("/api/v1/organisations", headers=bearer(token), json=payload)
    assert response.status_code == 400 and response.json["error"]["fields"]


def test_an_unconfirmed_account_cannot_register(client, world, factory):
    user = factory.user(role=Role.APPLICANT, confirmed=False)
    response = register(client, world.token_for(user))
    assert response.status_code == 403


def test_staff_tokens_cannot_register_organisations(client, world):
    _officer, token = world.user_with_token(Role.OFFICER)
    assert register(client, token).status_code == 403


def _registered(client, token) -> dict:
    return register(client, token).json["organisation"]


def test_representative_signs_the_declaration_as_an_authorised_signatory(client, session, applicant):
    _user, token = applicant
    org = _registered(client, token)
    before = client.get(f"/api/v1/organisations/{org['id']}/declaration", headers=bearer(token)).json
    assert before["valid"] is False and before["reason"] in ("missing", "no_text")
    signatory = next(b for b in org["board"] if b["authorised_signatory"])
    response = client.post(f"/api/v1/organisations/{org['id']}/declarations", headers=bearer(token),
                           json={"board_member_id": signatory["id"], "confirm": True})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["valid"] is True and body["signature"]["signatory_name"] == "Åsa Andersson"
    assert body["signature"]["expires_at"] == "2027-03-02T10:00:00Z"  # twelve months
    assert "declaration.signed" in audit_actions(session, "organisation", org["id"])


@pytest.mark.parametrize("which, confirm, field", [("other", True, "board_member_id"),
                                                   ("signatory", False, "confirm")])
def test_only_an_authorised_signatory_who_confirms_may_sign(client, applicant, which, confirm, field):
    _user, token = applicant
    org = _registered(client, token)
    member = next(b for b in org["board"] if b["authorised_signatory"] == (which == "signatory"))
    response = client.post(f"/api/v1/organisations/{org['id']}/declarations", headers=bearer(token),
                           json={"board_member_id": member["id"], "confirm": confirm})
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    status = client.get(f"/api/v1/organisations/{org['id']}/declaration", headers=bearer(token)).json
    assert status["valid"] is False


def test_another_applicant_gets_404_and_staff_403_when_signing(client, world, applicant):
    _user, token = applicant
    org = _registered(client, token)
    body = {"board_member_id": org["board"][0]["id"], "confirm": True}
    _other, other_token = world.user_with_token(Role.APPLICANT)
    path = f"/api/v1/organisations/{org['id']}/declarations"
    assert client.post(path, headers=bearer(other_token), json=body).status_code == 404
    assert client.get(f"/api/v1/organisations/{org['id']}/declaration",
                      headers=bearer(other_token)).status_code == 404
    _officer, officer_token = world.user_with_token(Role.OFFICER)
    assert client.post(path, headers=bearer(officer_token), json=body).status_code == 403
    assert client.get(f"/api/v1/organisations/{org['id']}/declaration",
                      headers=bearer(officer_token)).status_code == 200
    assert client.post(path, headers=bearer(token), json={"board_member_id": "1"}).status_code == 400


def test_a_nul_character_in_a_text_filter_is_a_400_on_every_database(client, applicant):
    _user, token = applicant
    for query in ("name=a%00b", "district=%00"):
        response = client.get(f"/api/v1/organisations?{query}", headers=bearer(token))
        assert response.status_code == 400 and response.json["error"]["fields"], query
    assert client.get("/api/v1/organisations?name=Ängen", headers=bearer(token)).status_code == 200
