"""Every CSV the application writes neutralises cells a spreadsheet would run as a formula
(issue 14, point 3): the coordinator's dashboard tables and the public 360Giving CSV, on its page
and in the API, all through portal.csv_files (defusedcsv)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from monitoring.insight.tables import Column, Table, to_csv
from portal.csv_files import csv_writer
from portal.models import Role

LINK = '=HYPERLINK("http://x")'
SUM = "@SUM(1+1)"


@pytest.fixture
def hostile(world, factory, session):
    """An organisation named as a formula, funded by two committees (one of them named as a formula
    too), for a project whose title is a formula."""
    plain = factory.committee("Kulturnämnden")
    formula = factory.committee("+Nämnd(1)")
    org = world.organisation(LINK)
    world.grant(org, world.programme(plain, "general"), 45_000, date(2026, 1, 1), date(2026, 12, 31), title=SUM)
    world.grant(org, world.programme(formula, "targeted"), 12_500, date(2026, 1, 1), date(2026, 12, 31),
                title="-2+3")
    session.commit()
    return org


def _rows(response, delimiter=","):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=delimiter))


def _cells(rows):
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("url", ["/open-data/360giving/grants.csv", "/api/v1/open-data/360giving/grants.csv"])
def test_the_360giving_csv_writes_formulas_as_text(client, hostile, url):
    rows = _rows(client.get(url))
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert sorted(r["Title"] for r in records) == ["'-2+3", "'@SUM(1+1)"]
    assert {r["Recipient Org:Name"] for r in records} == {"'" + LINK}
    assert {r["Funding Org:Name"] for r in records} == {"Kulturnämnden", "'+Nämnd(1)"}
    assert sorted(r["Amount Awarded"] for r in records) == ["12500.00", "45000.00"]
    assert not [cell for cell in _cells(rows) if cell and cell[0] in "=+-@"]


@pytest.mark.parametrize("table", ["partnerships", "committees"])
def test_the_dashboard_csv_writes_formulas_as_text(client, login_as, hostile, table):
    login_as(Role.COORDINATOR)
    rows = _rows(client.get(f"/insight/tables/{table}.csv?year=2026"), delimiter=";")
    cells = _cells(rows)
    assert ("'" + LINK in cells) if table == "partnerships" else ("'+Nämnd(1)" in cells)
    assert not [cell for cell in cells if cell and cell[0] in "=+-@"]


def test_negative_amounts_stay_numbers_and_tab_or_return_prefixes_are_neutralised():
    table = Table("committees", "Pengar", [Column("Nämnd"), Column("Belopp", "money"), Column("Andel", "share")],
                  [["\t=1+1", -123_450, -0.125], ["\r@SUM(A1)", 100, 0]])
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'\t=1+1", "-1234,50", "-12,5"]
    assert rows[2] == ["'\r@SUM(A1)", "1,00", "0,0"]
    out = io.StringIO()
    csv_writer(out).writerow(["-12.50", "-", "%x", "|cmd", 7, -3])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["-12.50", "'-", "'%x", "'\\|cmd", "7", "-3"]


def test_no_module_writes_csv_but_through_the_shared_writer():
    """A new export cannot forget the neutralising: the csv module's writers appear nowhere else."""
    root = Path(__file__).resolve().parents[3]
    offenders = [
        str(path.relative_to(root)) for package in ("portal", "organisations", "eligibility", "grants", "monitoring")
        for path in (root / package).rglob("*.py")
        if path.name != "csv_files.py" and re.search(r"\bcsv\.(writer|DictWriter)\b|from csv import", path.read_text())
    ]
    assert offenders == []
