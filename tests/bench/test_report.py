"""The benchmark's one table: what a reader of the README sees."""
from __future__ import annotations

from bench.pages import PAGES
from bench.run import Row, table


def test_the_table_shows_share_of_ceiling_and_marks_a_missed_target():
    rows = [
        Row("SQLite", "ceiling: minimal page, one indexed query", "anonymous", 600.0, 11.0, 20.0, 1, 1.0),
        Row("SQLite", "admin user search", "admin", 120.0, 60.0, 180.0, 5, 0.2, target="p95 < 150 ms", met=False),
        Row("SQLite", "decision letter PDF", target="< 1 s", note="not measured: not merged yet"),
    ]
    lines = table(rows).splitlines()
    assert lines[0].startswith("| database | what | role | req/s | median ms | p95 ms | SQL queries | of ceiling")
    assert "| SQLite | admin user search | admin | 120 | 60.0 | 180.0 | 5 | 20% |" in lines[3]
    assert "**no**" in lines[3]
    assert lines[4].endswith("| < 1 s |  | not measured: not merged yet |")


def test_every_page_in_the_list_has_a_unique_name():
    names = [p.name for p in PAGES]
    assert len(names) == len(set(names))


def test_every_key_page_of_the_issue_is_loaded_and_held_to_the_targets():
    key = {p.name for p in PAGES if p.key}
    assert key == {"officer's application list", "organisation register search",
                   "application with reviews and screening", "grant page", "coordinator dashboard",
                   "experience search", "public programme list", "API: organisation list"}
    api = [p for p in PAGES if p.api_token]
    assert len(api) == 1 and api[0].headers()["Authorization"].startswith("Bearer bp_")
