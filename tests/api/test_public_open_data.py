"""Awarded grants in the 360Giving standard through the API: public, JSON (paginated) and CSV, the same
grants and fields as the published files, and nothing confidential."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from jsonschema import Draft202012Validator

from tests.monitoring.insight.conftest import World

# The 360Giving standard's required fields of a grant (360-giving-schema.json, "required").
REQUIRED_360 = {
    "type": "object",
    "required": ["id", "title", "description", "currency", "amountAwarded", "awardDate", "recipientOrganization",
                 "fundingOrganization"],
    "properties": {
        "id": {"type": "string", "minLength": 1}, "title": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "amountAwarded": {"type": "number"}, "awardDate": {"type": "string", "format": "date"},
        "recipientOrganization": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}}}},
        "fundingOrganization": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}}}},
    },
}


@pytest.fixture
def awarded(session, factory, now):
    world = World(session, factory, now)
    culture = factory.committee("Kulturnämnden")
    district = factory.committee("Spånga-Tensta stadsdelsnämnd")
    org = world.organisation("Föreningen Ängen", districts=["Tensta"], email="ordforande@angen.example",
                             contact_name="Åsa Ordförande", city="Stockholm", phone="070-1234567")
    other = world.organisation("Kvinnojouren Östra")
    grants = [
        world.grant(org, world.programme(culture, "general", "Demokrati i vardagen"), 45_000, date(2026, 1, 1),
                    date(2026, 12, 31), decided_at=datetime(2025, 12, 12, 14), title="Läxhjälp och samtal"),
        world.grant(other, world.programme(district, "individual"), 12_500, date(2025, 1, 1), date(2025, 12, 31),
                    title="Stöd till anhöriga", decided_at=datetime(2024, 12, 1, 9)),
        world.grant(org, world.programme(district, "targeted"), 30_000, date(2025, 6, 1), date(2026, 5, 31),
                    status="withdrawn", end_reason="Bekräftad iakttagelse: uppmaning till våld",
                    decided_at=datetime(2025, 5, 2, 9)),
    ]
    session.commit()
    return {"grants": grants, "org": org}


def test_anyone_fetches_awarded_grants_as_360giving_json_with_every_required_field(client, awarded):
    response = client.get("/api/v1/open-data/360giving/grants")
    assert response.status_code == 200
    package = response.json
    assert package["total"] == 3 and len(package["grants"]) == 3
    validator = Draft202012Validator(REQUIRED_360, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for grant in package["grants"]:
        assert list(validator.iter_errors(grant)) == [], grant
    first = package["grants"][0]
    assert first["amountAwarded"] == 45000 and first["currency"] == "SEK" and first["awardDate"] == "2025-12-12"
    assert first["recipientOrganization"][0]["id"] == f"SE-BLV-{awarded['org'].org_number}"
    assert first["fundingOrganization"][0]["name"] == "Kulturnämnden"


def test_the_api_lists_the_same_grants_as_the_published_file(client, awarded):
    published = client.get("/open-data/360giving/grants.json").json["grants"]
    assert client.get("/api/v1/open-data/360giving/grants").json["grants"] == published


def test_nothing_confidential_leaks_withdrawal_reasons_findings_or_personal_data(client, awarded):
    for path in ("/api/v1/open-data/360giving/grants", "/api/v1/open-data/360giving/grants.csv"):
        text = client.get(path).get_data(as_text=True)
        for secret in ("iakttagelse", "våld", "withdrawn", "ordforande@angen.example", "Åsa Ordförande",
                       "070-1234567", "Hemliga mål"):
            assert secret not in text, (path, secret)


def test_json_pages_and_filters_by_decision_date(client, awarded):
    page = client.get("/api/v1/open-data/360giving/grants?per_page=2&page=2").json
    assert page["total"] == 3 and [g["title"] for g in page["grants"]] == [awarded["grants"][2].application.title]
    recent = client.get("/api/v1/open-data/360giving/grants?since=2025-05-01").json
    assert sorted(g["title"] for g in recent["grants"]) == ["Läxhjälp och samtal", "Projekt"]
    for bad in ("since=2025-13-01", "since=yesterday", "per_page=0"):
        response = client.get(f"/api/v1/open-data/360giving/grants?{bad}")
        assert response.status_code == 400, bad
        assert response.json["error"]["fields"], bad


def test_csv_has_the_standard_columns_and_a_row_per_grant(client, awarded):
    response = client.get("/api/v1/open-data/360giving/grants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    for row in rows:
        for column in ("Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                       "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name"):
            assert row[column], column
    assert rows[0]["Amount Awarded"] == "45000.00"
    only_recent = client.get("/api/v1/open-data/360giving/grants.csv?since=2025-12-01").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(only_recent)))) == 1


def test_openapi_documents_the_csv_as_text_csv(client):
    doc = client.get("/api/v1/openapi.json").json
    ok = doc["paths"]["/open-data/360giving/grants.csv"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/csv"]
    assert doc["paths"]["/open-data/360giving/grants"]["get"]["security"] == []


def test_an_empty_export_is_valid(client):
    assert client.get("/api/v1/open-data/360giving/grants").json == {"grants": [], "page": 1, "per_page": 25,
                                                                      "total": 0}
    rows = client.get("/api/v1/open-data/360giving/grants.csv").get_data(as_text=True).splitlines()
    assert len(rows) == 1 and rows[0].startswith("Identifier,Title")


def test_api_page_says_the_csv_endpoint_answers_with_csv(client):
    html = client.get("/api").get_data(as_text=True)
    assert "GET /open-data/360giving/grants.csv" in html and "Svarar med text/csv." in html
