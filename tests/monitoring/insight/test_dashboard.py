"""The coordinator's dashboard: hand-computed figures, filters, charts, CSV, access, query count."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from monitoring.insight import figures
from monitoring.insight.figures import Filters
from portal.models import Role
from tests.monitoring.insight.conftest import bulk_grants


@pytest.fixture
def data(world, factory, session):
    """Two committees, three organisations, four grants; every figure below is counted by hand."""
    a = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    b = factory.committee("Kulturnämnden")
    o1 = world.organisation("Förening Ett", districts=["Rinkeby", "Tensta"])
    o2 = world.organisation("Förening Två", districts=["Rinkeby"])
    o3 = world.organisation("Förening Tre", districts=["Kista"])
    pa = world.programme(a, "targeted")
    pb = world.programme(b, "general")
    g1 = world.grant(o1, pa, 100_000, date(2026, 1, 1), date(2026, 12, 31), paid_kr=[40_000], scheduled_kr=[60_000])
    g2 = world.grant(o1, pb, 50_000, date(2025, 6, 1), date(2026, 5, 31), status="completed", paid_kr=[50_000])
    g3 = world.grant(o2, pa, 30_000, date(2026, 1, 1), date(2026, 12, 31), status="withdrawn", paid_kr=[10_000],
                     cancelled_kr=[20_000])
    g4 = world.grant(o3, pb, 20_000, date(2027, 1, 1), date(2027, 12, 31))
    # Reports, with today = 2026-03-02.
    world.milestone(g1, date(2026, 2, 1), "approved", datetime(2026, 1, 30, 12), women=10, men=8, other=1)  # on time
    world.milestone(g1, date(2026, 2, 15), "submitted", datetime(2026, 2, 20, 8), women=100)  # late, not approved
    world.milestone(g1, date(2026, 2, 20))  # overdue, nothing handed in
    world.milestone(g1, date(2026, 12, 31))  # not yet due
    world.milestone(g2, date(2026, 2, 28), "draft", None, women=50)  # a draft is not handed in: overdue
    world.milestone(g2, date(2026, 1, 15), "approved", datetime(2026, 1, 15, 16), approved_at=datetime(2026, 1, 16),
                    women=5, men=7)  # on time (submitted on the due day)
    world.evaluation(g1, 4, "0.800")
    world.evaluation(g2, 2, "0.500")
    world.evaluation(g3, None, None, status="due")
    session.commit()
    return {"a": a, "b": b, "grants": [g1, g2, g3, g4]}


def kr(n):
    return n * 100


def test_money_per_committee_counts_every_awarded_grant_and_its_paid_tranches(session, data):
    rows = figures.money(session, Filters(), "committee")
    assert [(r["key"][0], r["grants"], r["granted"], r["paid"], r["withdrawn"]) for r in rows] == [
        ("Kulturnämnden", 2, kr(70_000), kr(50_000), 0),
        ("Rinkeby-Kista stadsdelsnämnd", 2, kr(130_000), kr(50_000), 1),
    ]


def test_money_per_action_area_and_per_district(session, data):
    areas = {r["key"][0]: (r["granted"], r["paid"]) for r in figures.money(session, Filters(), "area")}
    assert areas == {"general": (kr(70_000), kr(50_000)), "targeted": (kr(130_000), kr(50_000))}
    districts = {r["key"][0]: (r["grants"], r["granted"], r["paid"])
                 for r in figures.money(session, Filters(), "district")}
    assert districts == {"Kista": (1, kr(20_000), 0), "Rinkeby": (3, kr(180_000), kr(100_000)),
                         "Tensta": (2, kr(150_000), kr(90_000))}


def test_year_filter_keeps_grants_whose_period_overlaps_the_year(session, data):
    rows = figures.money(session, Filters(year=2026), "committee")
    assert {r["key"][0]: r["granted"] for r in rows} == {"Kulturnämnden": kr(50_000),
                                                         "Rinkeby-Kista stadsdelsnämnd": kr(130_000)}
    assert figures.statuses(session, Filters(year=2027)) == {"active": 1, "completed": 0, "withdrawn": 0}


def test_committee_area_and_district_filters_narrow_every_figure(session, data):
    assert figures.statuses(session, Filters(committee_id=data["b"].id)) == {"active": 1, "completed": 1,
                                                                            "withdrawn": 0}
    assert figures.statuses(session, Filters(action_area="targeted")) == {"active": 1, "completed": 0,
                                                                         "withdrawn": 1}
    tensta = figures.money(session, Filters(district="Tensta"), "area")
    assert {r["key"][0]: r["granted"] for r in tensta} == {"general": kr(50_000), "targeted": kr(100_000)}


def test_grants_by_status(session, data):
    assert figures.statuses(session, Filters()) == {"active": 2, "completed": 1, "withdrawn": 1}


def test_reports_are_on_time_late_overdue_or_not_yet_due(session, data):
    counts = figures.report_timeliness(session, Filters(), date(2026, 3, 2))
    assert counts == {"on_time": 2, "late": 1, "overdue": 2, "not_due": 1}


def test_participants_come_from_approved_reports_only(session, data):
    assert figures.participants(session, Filters())[0] == {"key": (), "women": 15, "men": 15, "other": 1}


def test_attainment_and_ratings_come_from_completed_evaluations(session, data):
    by_area = {r["key"][0]: (r["evaluations"], r["attainment"], r["rating"])
               for r in figures.evaluations(session, Filters(), "area")}
    assert by_area == {"general": (1, Decimal("0.500"), Decimal("2.0")),
                       "targeted": (1, Decimal("0.800"), Decimal("4.0"))}
    assert figures.ratings(session, Filters()) == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}


def test_organisations_funded_by_several_committees_and_where_committees_overlap(session, data):
    assert figures.partnerships(session, Filters()) == [
        {"id": data["grants"][0].organisation_id, "organisation": "Förening Ett",
         "committees": ["Kulturnämnden", "Rinkeby-Kista stadsdelsnämnd"]}]
    assert [(sorted(r["key"]), r["organisations"]) for r in figures.overlaps(session, Filters())] == [
        (["Kulturnämnden", "Rinkeby-Kista stadsdelsnämnd"], 1)]
    assert figures.partnerships(session, Filters(committee_id=data["a"].id)) == []


def test_coordinator_sees_charts_with_text_alternatives_beside_tables(client, login_as, data):
    login_as(Role.COORDINATOR)
    response = client.get("/insight/?year=2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<svg") >= 6
    assert 'role="img"' in html and "<desc" in html
    assert "130\u00a0000,00\u00a0kr" in html  # Rinkeby-Kista's granted money in the table and the chart text
    assert "Förening Ett" in html
    assert 'href="/insight/tables/committees.csv?year=2026"' in html


def test_unknown_filter_values_are_ignored(client, login_as, data):
    login_as(Role.COORDINATOR)
    response = client.get("/insight/?year=abc&committee=999999&area=nonsense")
    assert response.status_code == 200
    assert "130\u00a0000,00\u00a0kr" in response.get_data(as_text=True)


def test_csv_download_opens_in_swedish_excel(client, login_as, data):
    login_as(Role.COORDINATOR)
    response = client.get(f"/insight/tables/committees.csv?committee={data['a'].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Rinkeby-Kista stadsdelsnämnd", "2", "130000,00", "50000,00"]
    assert len(rows) == 2


def test_unknown_csv_table_is_not_found(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/insight/tables/secrets.csv").status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DECISION_MAKER, Role.APPLICANT, Role.ADMIN])
def test_only_coordinators_see_the_dashboard(client, login_as, role, data):
    login_as(role)
    assert client.get("/insight/").status_code == 403
    assert client.get("/insight/tables/committees.csv").status_code == 403


def test_visitors_must_log_in(client):
    response = client.get("/insight/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dashboard_nav_item_only_for_coordinators(client, login_as):
    login_as(Role.OFFICER)
    assert "/insight/" not in client.get("/").get_data(as_text=True)


def test_dashboard_queries_do_not_grow_with_the_number_of_grants(client, login_as, world, factory, session,
                                                                 count_queries):
    login_as(Role.COORDINATOR)
    committees = [factory.committee(f"Nämnd Q{i}") for i in range(3)]
    programmes = [world.programme(c, area) for c in committees for area in ("general", "targeted")]
    orgs = [world.organisation(f"Org Q{i}", districts=[f"Distrikt {i % 4}"]) for i in range(40)]
    session.commit()

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/insight/?year=2026").status_code == 200
        return counter.count

    bulk_grants(session, world, committees, programmes, orgs, 10)
    at_ten = measure()
    bulk_grants(session, world, committees, programmes, orgs, 990)
    at_thousand = measure()
    assert at_ten == at_thousand
    assert sum(figures.statuses(session, Filters(year=2026)).values()) == 1000
