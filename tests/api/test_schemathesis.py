"""Property-based run of the whole API against its own OpenAPI document (schemathesis, in-process).

For every operation schemathesis generates requests from the document and checks that the app
answers without a server error, with a documented status and a body that fits the schema. Each
case is sent with an applicant's token and with an officer's token, and with the tokens of a
coordinator and of the staff of a committee with data (tests/api/conftest.py, staff_tokens).
"""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import PositiveDataAcceptanceConfig

from portal.models import Role
from tests.api.conftest import bearer


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT_PER_TOKEN": 100_000, "API_RATE_LIMIT_PER_ADDRESS": 100_000}


@pytest.fixture
def tokens(world, factory):
    committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    applicant, applicant_token = world.user_with_token(Role.APPLICANT)
    _officer, officer_token = world.user_with_token(Role.OFFICER, committee)
    world.organisation("Egen förening", representatives=[applicant], districts=["Rinkeby-Kista"])
    world.organisation("Annan förening", districts=["Farsta"])
    world.programme(committee, "Öppen utlysning", districts=["Rinkeby-Kista"])
    return [applicant_token, officer_token]


def test_api_conforms_to_its_openapi_document(app, tokens, staff_tokens):
    # Driven by hand rather than with schemathesis.pytest.from_fixture, whose lazy loader does not
    # run under pytest 9 (AttributeError: 'Function' object has no attribute '_nodeid').
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # A write that a business rule refuses (422: the report is not submitted, the plan is incomplete)
    # is a documented answer to a well-formed request, as a stale write (409) is; a 400 is not.
    accepted = schema.config.checks.positive_data_acceptance.expected_statuses
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=[*accepted, "422"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    # Every check schemathesis has (the CLI's --checks all), not only the default set.
    load_all_checks()
    all_checks = CHECKS.get_all()
    assert len(all_checks) >= 14

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            for token in tokens + staff_tokens:
                case.call_and_validate(headers=bearer(token), checks=all_checks)

        check()


def test_api_refuses_what_its_openapi_document_forbids(app, tokens):
    # Negative data (the CLI's --mode all): bodies, parameters and ids that break the document never
    # give a 5xx, every answer is documented, and every such request is refused (negative_data_rejection:
    # an unknown or repeated query parameter, a value out of its type or range, is a 400).
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    load_all_checks()
    checks = CHECKS.get_all()
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        @given(case=operation.as_strategy(GenerationMode.NEGATIVE))
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=bearer(tokens[1]), checks=checks)  # the officer's token

        check()
