"""The shared conventions of portal.api.core, exercised through an endpoint declaration that is
handled directly (not registered, so it stays out of the OpenAPI document)."""
from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import select

from portal import audit
from portal.api.core import ANY_USER, ApiError, Endpoint, _handle, authorise
from portal.auth.sessions import start_session
from portal.clock import utcnow
from portal.errors import Conflict, DomainError
from portal.models import AuditEvent, Committee, Role
from tests.api.conftest import bearer

BODY = {"type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": {"type": "string", "minLength": 1}}}


def spec_for(func, method="POST"):
    return Endpoint(method=method, path="/test", summary="test", tags=["test"], auth=ANY_USER,
                    response={"type": "object"}, body=BODY if method == "POST" else None, func=func)


def call(app, spec, json=None, data=None, token=None):
    headers = bearer(token) if token else {}
    with app.test_request_context("/api/v1/test", method=spec.method, json=json, data=data, headers=headers):
        from portal.api.core import before_api_request

        refused = before_api_request()
        if refused is not None:
            response, status = refused
        else:
            response, status = _handle(spec, {})
        return status, response.get_json()


def test_a_write_is_committed_with_its_audit_event(app, world, session, now):
    user, token = world.user_with_token(Role.APPLICANT)

    def rename(body):
        audit.record(session, actor=user, action="test.renamed", object_type="test", object_id=1,
                     changes={"name": body["name"]}, now=now)
        return {"ok": True}

    status, body = call(app, spec_for(rename), json={"name": "Ny"}, token=token)
    assert (status, body) == (200, {"ok": True})
    session.rollback()
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "test.renamed")) is not None


def test_a_refused_rule_is_a_422_with_the_field_and_nothing_is_saved(app, world, session, now):
    _user, token = world.user_with_token(Role.APPLICANT)

    def refuse(body):
        session.add(Committee(name="Halvsparad", kind="district", created_at=now))
        session.flush()
        raise DomainError("The name is taken", field="name")

    status, body = call(app, spec_for(refuse), json={"name": "X"}, token=token)
    assert status == 422
    assert body["error"] == {"code": "rule_refused", "message": "The name is taken", "fields": {"name": "The name is taken"}}
    assert session.scalar(select(Committee).where(Committee.name == "Halvsparad")) is None


def test_a_stale_write_is_a_409(app, world):
    _user, token = world.user_with_token(Role.APPLICANT)

    def stale(body):
        raise Conflict("Someone else changed it first")

    status, body = call(app, spec_for(stale), json={"name": "X"}, token=token)
    assert status == 409 and body["error"]["code"] == "conflict"


@pytest.mark.parametrize("payload", [{"json": {"name": ""}}, {"json": {"other": 1}}, {"json": [1]},
                                     {"data": "not json"}])
def test_a_body_that_breaks_the_schema_or_is_not_json_is_a_400(app, world, payload):
    _user, token = world.user_with_token(Role.APPLICANT)
    status, body = call(app, spec_for(lambda body: {}), token=token, **payload)
    assert status == 400 and body["error"]["code"] == "bad_request"


def test_writes_refuse_a_page_session_but_reads_accept_it(app, factory, session):
    user = factory.user(role=Role.APPLICANT)
    start_session(session, user, now=utcnow())  # the server-side session a login starts
    with app.test_request_context("/api/v1/test", method="POST"):
        login_user(user)
        with pytest.raises(ApiError) as refused:
            authorise(spec_for(lambda body: {}))
        assert refused.value.status == 401
    with app.test_request_context("/api/v1/test", method="GET"):
        login_user(user)
        authorise(spec_for(lambda: {}, method="GET"))  # no error


def test_role_bound_endpoint_refuses_other_roles(app, world):
    _user, token = world.user_with_token(Role.APPLICANT)
    spec = Endpoint(method="GET", path="/test", summary="t", tags=["t"], auth=(Role.COORDINATOR,),
                    response={"type": "object"}, func=lambda: {"secret": 1})
    status, body = call(app, spec, token=token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    _coordinator, coordinator_token = world.user_with_token(Role.COORDINATOR)
    assert call(app, spec, token=coordinator_token) == (200, {"secret": 1})
