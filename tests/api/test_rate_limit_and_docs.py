"""Rate limits, the OpenAPI document and the API page."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.api.core import REGISTRY
from portal.models import Role
from tests.api.conftest import bearer


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT_PER_TOKEN": 3, "API_RATE_LIMIT_PER_ADDRESS": 5}


def test_token_over_its_limit_gets_429_with_retry_after(app, client, world, factory, now):
    _user, token = world.user_with_token(Role.APPLICANT)
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # another token of another user from the same address still gets through
    _other, other_token = world.user_with_token(Role.APPLICANT)
    assert client.get("/api/v1/me", headers=bearer(other_token)).status_code == 200
    app.config["FIXED_NOW"] = now + timedelta(minutes=1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_address_over_its_limit_gets_429_even_without_a_token(client):
    for _ in range(5):
        assert client.get("/api/v1/programmes").status_code == 200
    assert client.get("/api/v1/programmes").status_code == 429
    # guessing tokens counts too
    assert client.get("/api/v1/me", headers=bearer("bp_guess")).status_code == 429


def test_openapi_document_lists_every_registered_endpoint(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    declared = {(e.path, e.method.lower()) for e in REGISTRY}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == declared
    programmes = doc["paths"]["/programmes"]["get"]
    assert programmes["security"] == []
    assert {p["name"] for p in programmes["parameters"]} >= {"committee", "action_area", "district", "page", "per_page"}
    assert doc["paths"]["/me"]["get"]["security"] == [{"bearerAuth": []}]


def test_api_page_describes_endpoints_and_tokens_and_is_linked_from_the_welcome_page(client):
    assert "/api" in client.get("/").get_data(as_text=True)
    html = client.get("/api").get_data(as_text=True)
    assert "GET /organisations/{organisation_id}" in html
    assert 'curl -H "Authorization: Bearer $TOKEN"' in html
    assert "/api/v1/openapi.json" in html


def test_api_page_is_in_swedish_by_default_and_in_english_on_request(client):
    assert "API för integrationer" in client.get("/api").get_data(as_text=True)
    client.get("/language/en")
    assert "API for integrations" in client.get("/api").get_data(as_text=True)


def test_api_catalogue_is_fully_translated():
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[2] / "portal/api/translations/sv/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalogue = read_po(f)
    assert [m.id for m in catalogue if m.id and not m.string] == []
