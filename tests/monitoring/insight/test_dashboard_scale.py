"""The dashboard at city scale: the growing partnerships list is cut on the page (every row stays on
its own paged page and in the CSV), and the figures kept between requests change as soon as the data
under them does."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import update

from grants.models import Grant, Tranche
from monitoring.insight import tables, views
from portal.models import Role
from tests.monitoring.insight.test_dashboard import data  # noqa: F401  (the hand-counted fixture)


@pytest.fixture
def two_partnerships(data, world, session):  # noqa: F811
    """Förening Ett and Förening Två are each funded by both committees; Förening Tre by one."""
    grant_two = data["grants"][2]
    org_two = session.get(Grant, grant_two.id).organisation
    world.grant(org_two, world.programme(data["b"], "general"), 5_000, date(2026, 1, 1), date(2026, 12, 31))
    session.commit()
    return data


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))


def test_dashboard_shows_the_first_partnerships_and_links_to_all_of_them(client, login_as, two_partnerships,
                                                                          monkeypatch):
    monkeypatch.setattr(tables, "DASHBOARD_PARTNERSHIPS", 1)
    login_as(Role.COORDINATOR)
    html = client.get("/insight/?year=2026").get_data(as_text=True)
    assert "Förening Ett" in html and "Förening Två" not in html
    assert "De första 1 av 2." in html
    assert 'href="/insight/partnerships?year=2026"' in html
    # The CSV keeps every row.
    rows = _rows(client.get("/insight/tables/partnerships.csv?year=2026"))
    assert [r[0] for r in rows[1:]] == ["Förening Ett", "Förening Två"]


def test_full_partnership_list_is_paged_with_the_filter_kept(client, login_as, two_partnerships, monkeypatch):
    monkeypatch.setattr(views, "PARTNERSHIPS_PER_PAGE", 1)
    login_as(Role.COORDINATOR)
    first = client.get("/insight/partnerships?year=2026").get_data(as_text=True)
    assert "Förening Ett" in first and "Förening Två" not in first
    assert "Sida 1 av 2" in first
    second = client.get("/insight/partnerships?year=2026&page=2").get_data(as_text=True)
    assert "Förening Två" in second and "Förening Ett" not in second
    assert "Kulturnämnden, Rinkeby-Kista stadsdelsnämnd" in second
    # In 2027 only Förening Tre has a grant: nobody is funded by two committees.
    in_2027 = client.get("/insight/partnerships?year=2027").get_data(as_text=True)
    assert "0 organisationer" in in_2027 and "Förening Ett" not in in_2027


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DECISION_MAKER, Role.APPLICANT, Role.ADMIN])
def test_only_coordinators_see_the_partnership_list(client, login_as, role, data):  # noqa: F811
    login_as(role)
    assert client.get("/insight/partnerships").status_code == 403


def test_changed_grant_shows_on_the_dashboard_at_once(client, login_as, data, session):  # noqa: F811
    login_as(Role.COORDINATOR)
    assert "130\u00a0000,00\u00a0kr" in client.get("/insight/").get_data(as_text=True)
    grant = session.get(Grant, data["grants"][0].id)
    grant.amount += 1_000_000  # 10 000 kr more for Rinkeby-Kista: 140 000 kr
    session.commit()
    html = client.get("/insight/").get_data(as_text=True)
    assert "140\u00a0000,00\u00a0kr" in html and "130\u00a0000,00\u00a0kr" not in html


def test_tranches_paid_in_one_statement_show_on_the_dashboard_at_once(client, login_as, data, session):  # noqa: F811
    login_as(Role.COORDINATOR)
    before = _rows(client.get(f"/insight/tables/committees.csv?committee={data['a'].id}"))
    assert before[1][3] == "50000,00"
    assert "50\u00a0000,00\u00a0kr" in client.get(f"/insight/?committee={data['a'].id}").get_data(as_text=True)
    session.execute(update(Tranche).where(Tranche.grant_id == data["grants"][0].id, Tranche.status == "scheduled")
                    .values(status="paid"))
    session.commit()
    html = client.get(f"/insight/?committee={data['a'].id}").get_data(as_text=True)
    assert "110\u00a0000,00\u00a0kr" in html  # 40 000 + 60 000 for Förening Ett, 10 000 for Förening Två


def test_unchanged_data_is_not_computed_again(client, login_as, data, count_queries):  # noqa: F811
    login_as(Role.COORDINATOR)
    with count_queries() as first:
        client.get("/insight/?year=2026")
    with count_queries() as again:
        html = client.get("/insight/?year=2026").get_data(as_text=True)
    assert again.count < first.count
    assert "130\u00a0000,00\u00a0kr" in html


@pytest.mark.parametrize("app_config", [{"INSIGHT_CACHE_SECONDS": 0}])
def test_cache_can_be_turned_off(client, login_as, data, count_queries, app_config):  # noqa: F811
    login_as(Role.COORDINATOR)
    with count_queries() as first:
        client.get("/insight/?year=2026")
    with count_queries() as again:
        client.get("/insight/?year=2026")
    assert again.count == first.count
