"""The 360Giving export: public, every required field on every grant, valid JSON and CSV, nothing
confidential, read in batches."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest

from monitoring.insight import open_data

REQUIRED_CSV = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name"]


@pytest.fixture
def awarded(world, factory, session):
    culture = factory.committee("Kulturnämnden")
    district = factory.committee("Spånga-Tensta stadsdelsnämnd")
    org = world.organisation("Föreningen Ängen", districts=["Tensta"], email="ordforande@angen.example",
                             contact_name="Åsa Ordförande", city="Stockholm")
    other = world.organisation("Kvinnojouren Östra")
    grants = [
        world.grant(org, world.programme(culture, "general", "Demokrati i vardagen"), 45_000, date(2026, 1, 1),
                    date(2026, 12, 31), decided_at=datetime(2025, 12, 12, 14), title="Läxhjälp och samtal"),
        world.grant(other, world.programme(district, "individual"), 12_500, date(2025, 1, 1), date(2025, 12, 31),
                    title="Stöd till anhöriga"),
        world.grant(org, world.programme(district, "targeted"), 30_000, date(2025, 6, 1), date(2026, 5, 31),
                    status="withdrawn", end_reason="Bekräftad iakttagelse: uppmaning till våld"),
    ]
    session.commit()
    return {"grants": grants, "org": org}


def test_json_is_public_valid_and_has_every_required_field(client, awarded):
    response = client.get("/open-data/360giving/grants.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    package = json.loads(response.get_data(as_text=True))
    assert len(package["grants"]) == 3
    for grant in package["grants"]:
        for key in ("id", "title", "description", "currency", "amountAwarded", "awardDate"):
            assert grant[key] not in (None, ""), key
        assert grant["recipientOrganization"][0]["id"].startswith("SE-BLV-")
        assert grant["recipientOrganization"][0]["name"]
        assert grant["fundingOrganization"][0]["id"].startswith("360G-stad-example-")
        assert grant["fundingOrganization"][0]["name"]
    first = package["grants"][0]
    assert first["id"] == f"360G-stad-example-grant-{awarded['grants'][0].id}"
    assert first["amountAwarded"] == 45000 and first["currency"] == "SEK"
    assert first["awardDate"] == "2025-12-12"
    assert first["recipientOrganization"][0] == {"id": f"SE-BLV-{awarded['org'].org_number}",
                                                 "name": "Föreningen Ängen", "addressLocality": "Stockholm"}
    assert first["fundingOrganization"][0]["name"] == "Kulturnämnden"
    assert first["plannedDates"] == [{"startDate": "2026-01-01", "endDate": "2026-12-31"}]


def test_withdrawn_grants_are_listed_as_awarded_without_reasons_or_personal_data(client, awarded):
    body = client.get("/open-data/360giving/grants.json").get_data(as_text=True)
    withdrawn = [g for g in json.loads(body)["grants"] if g["title"] == "Projekt"]
    assert [g["amountAwarded"] for g in withdrawn] == [30000]
    for secret in ("iakttagelse", "våld", "ordforande@angen.example", "Åsa Ordförande", "Hemliga mål", "withdrawn"):
        assert secret not in body


def test_csv_has_the_standard_columns_and_a_row_per_grant(client, awarded):
    response = client.get("/open-data/360giving/grants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    for row in rows:
        for column in REQUIRED_CSV:
            assert row[column], column
    assert rows[1]["Amount Awarded"] == "12500.00"
    assert rows[1]["Recipient Org:Name"] == "Kvinnojouren Östra"


def test_the_identifier_prefix_is_a_setting(app, client, awarded):
    app.config["OPEN_DATA_PREFIX"] = "360G-annan-stad-"
    grant = json.loads(client.get("/open-data/360giving/grants.json").get_data(as_text=True))["grants"][0]
    assert grant["id"].startswith("360G-annan-stad-grant-")


def test_the_builder_reads_in_batches_and_misses_no_grant(session, awarded, count_queries):
    with count_queries() as counter:
        ids = [g["id"] for g in open_data.grants_360(session, batch_size=2)]
    assert len(ids) == len(set(ids)) == 3
    assert counter.count == 2  # two batches: 2 grants, then 1


def test_empty_export_is_still_valid(client):
    assert json.loads(client.get("/open-data/360giving/grants.json").get_data(as_text=True)) == {"grants": []}
    rows = list(csv.reader(io.StringIO(client.get("/open-data/360giving/grants.csv").get_data(as_text=True))))
    assert rows[0][:6] == REQUIRED_CSV[:6] and len(rows) == 1


def test_welcome_page_links_to_open_data(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/open-data/"' in page
    info = client.get("/open-data/")
    assert info.status_code == 200
    assert 'href="/open-data/360giving/grants.json"' in info.get_data(as_text=True)
