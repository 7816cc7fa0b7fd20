"""Numbers nobody types on purpose (NaN, Infinity, 1e999999, Arabic-Indic or superscript digits,
ids past 2^63, JSON nested 100 000 deep) get a message beside the field, a 404 or a 4xx: never a
500, and never a value stored that the API could not show again."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from grants import services
from grants.models import Indicator
from portal.errors import DomainError
from portal.numbers import NUMERIC_14_2, finite_decimal, whole_number
from tests.api.conftest import bearer
from tests.conftest import login

HOSTILE = ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999999", "1E5", "٣", "３", "²", "1_000", "0x10",
           "1" * 40, "12.5.5", "", " "]


@pytest.mark.parametrize("text", HOSTILE)
def test_finite_decimal_refuses_what_is_not_plain_ascii_digits(app, text):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        finite_decimal(text, NUMERIC_14_2, 2, "target")
    assert refused.value.field == "target"


def test_finite_decimal_bounds_magnitude_and_places(app):
    with app.test_request_context():
        assert finite_decimal("-12.50", NUMERIC_14_2, 2) == Decimal("-12.5")
        assert finite_decimal("999999999999.99", NUMERIC_14_2, 2) == Decimal("999999999999.99")
        for text in ("1000000000000", "1.005"):
            with pytest.raises(DomainError):
                finite_decimal(text, NUMERIC_14_2, 2)
    assert whole_number("4", 6) == 4 and whole_number("²", 6) is None and whole_number("٣", 6) is None
    assert whole_number("9" * 40, 6) is None


@pytest.mark.parametrize("path", ["/staff/reviews/99999999999999999999", "/staff/reviews/9223372036854775808",
                                  "/staff/reviews/2147483648", "/staff/reviews/٣",
                                  "/api/v1/my/applications/99999999999999999999"])
def test_an_id_past_the_column_is_not_found(client, scenario, path):
    login(client, scenario.officer.email)
    assert client.get(path).status_code == 404


def _reviewing(scenario, session, now):
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    review = services.assign_reviewer(session, scenario.application, reviewer=scenario.officer,
                                      by=scenario.officer, now=now)
    services.declare_conflict(session, review, has_conflict=False, reason="", by=scenario.officer, now=now)
    session.commit()
    return review


@pytest.mark.parametrize("score", ["²", "٣", "３", "99999999999999999999999"])
def test_an_odd_digit_in_a_score_is_a_message_not_a_500(client, scenario, session, now, score):
    review = _reviewing(scenario, session, now)
    relevance, feasibility = scenario.programme.criteria
    login(client, scenario.officer.email)
    response = client.post(f"/staff/reviews/{review.id}", data={
        f"score_{relevance.id}": score, f"score_{feasibility.id}": "2", "review-recommendation": "approve"})
    assert response.status_code == 422
    session.expire_all()
    assert review.submitted_at is None


PLAN = {"indicator_rows-0-objective": "Fler unga deltar", "indicator_rows-0-name": "Deltagare",
        "indicator_rows-0-unit": "personer", "indicator_rows-0-baseline": "0",
        "milestone_rows-0-kind": "final", "milestone_rows-0-due_on": "2027-01-31",
        "evaluation_rows-0-due_on": "2027-03-01"}


@pytest.mark.parametrize("target", ["Infinity", "NaN", "1e999999", "1000000000000", "٣"])
def test_a_plan_number_that_no_column_holds_is_a_message_beside_the_field(client, scenario, session, now, target):
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.commit()
    login(client, scenario.officer.email)
    response = client.post(f"/staff/applications/{scenario.application.id}/plan", data={
        **PLAN, "responsible_officer_id": scenario.officer.id, "indicator_rows-0-target": target})
    assert response.status_code == 422
    assert session.scalar(select(Indicator)) is None


@pytest.mark.parametrize("body", [b'{"indicators": [{"target": Infinity}]}', b'{"a": NaN}', b'{"a": 1e999}',
                                  b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 40 + b"1" + b"}" * 40])
def test_the_api_refuses_non_finite_numbers_and_deep_nesting(client, scenario, session, now, world, body):
    services.submit_application(session, scenario.application, by=scenario.applicant, now=now)
    session.commit()
    token = world_token(world, scenario.officer)
    response = client.put(f"/api/v1/staff/applications/{scenario.application.id}/plan", data=body,
                          headers={**bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]


def test_strings_may_hold_brackets_and_escaped_quotes_without_counting_as_nesting(app):
    from portal.api.core import parse_json_body

    assert parse_json_body(b'{"a": "[[[[\\"{{{{' + b"[" * 100 + b'"}') == {"a": '[[[["{{{{' + "[" * 100}


def world_token(world, user):
    from portal.api.tokens import create_token

    _row, raw = create_token(world.session, user, name="t", days=None, by=user, now=world.now)
    world.session.commit()
    return raw


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1e999}', b'[1E400]'])
def test_the_api_parser_refuses_numbers_no_column_or_answer_holds(app, body):
    from portal.api.core import ApiError, parse_json_body

    with pytest.raises(ApiError) as refused:
        parse_json_body(body)
    assert refused.value.status == 400


def test_a_query_number_in_other_digits_is_refused(client, scenario, world):
    token = world_token(world, scenario.officer)
    assert client.get("/api/v1/committees?page=٣", headers=bearer(token)).status_code == 400
    assert client.get("/api/v1/committees?page=3", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("application_id", ["2147483648", "153552069710959104", "99999999999999999999"])
def test_a_write_to_an_id_past_the_column_is_not_found_rather_than_not_allowed(client, scenario, world,
                                                                             application_id):
    token = world_token(world, scenario.officer)
    response = client.put(f"/api/v1/staff/applications/{application_id}/plan", json={},
                          headers=bearer(token))
    assert response.status_code == 404
