"""Random bodies against the applicant's writes on objects that exist and are the caller's own, so
the bodies reach the services (the general schemathesis run mostly meets 404 for drawn ids): every
answer is documented, fits its schema, and none is a server error."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.applicant_world import me  # noqa: F401


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT_PER_TOKEN": 100_000, "API_RATE_LIMIT_PER_ADDRESS": 100_000}


def test_random_bodies_on_own_objects_never_break_the_api(app, session, me):
    draft = me.filled()
    grant_world = me.grant()
    organisation = me.organisation
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "422"]
    targets = [
        ("PATCH", "/applications/{application_id}", {"application_id": draft.id}),
        ("POST", "/applications", {}),
        ("POST", "/organisations", {}),
        ("POST", "/organisations/{organisation_id}/declarations", {"organisation_id": organisation.id}),
        ("POST", "/grants/{grant_id}/milestones/{milestone_id}/report",
         {"grant_id": grant_world.grant.id, "milestone_id": grant_world.plan.milestones[0].id}),
        # Reads of own objects, so that their answers are checked against the documented schemas.
        ("GET", "/organisations/{organisation_id}", {"organisation_id": organisation.id}),
        ("GET", "/organisations/{organisation_id}/declaration", {"organisation_id": organisation.id}),
        ("GET", "/my/applications/{application_id}", {"application_id": draft.id}),
        ("GET", "/my/grants/{grant_id}", {"grant_id": grant_world.grant.id}),
        ("GET", "/my/applications", {}),
        ("GET", "/my/grants", {}),
        ("GET", "/my/deadlines", {}),
        ("GET", "/open-data/360giving/grants", {}),
        ("GET", "/open-data/360giving/grants.csv", {}),
    ]
    for method, path, ids in targets:
        operation = schema[path][method]

        @given(case=operation.as_strategy(path_parameters=ids))
        @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            case.call_and_validate(headers=me.headers)

        check()
