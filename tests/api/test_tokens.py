"""Personal API tokens: created and revoked on the profile page and the CLI; checked on every call."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.api.models import ApiToken
from portal.api.tokens import hash_token
from portal.models import AuditEvent, Role
from tests.api.conftest import bearer


def test_user_creates_a_token_on_the_profile_page_and_sees_it_once(client, login_as, session):
    user = login_as(Role.APPLICANT)
    page = client.post("/account/tokens", data={"name": "Vårt ärendesystem", "days": "30"})
    assert page.status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    html = page.get_data(as_text=True)
    raw = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("bp_") and hash_token(raw) == token.token_hash
    assert raw not in token.token_hash  # only the hash is stored
    assert client.get("/api/v1/me", headers=bearer(raw)).json["email"] == user.email
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "Vårt ärendesystem" in again and raw not in again
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created")) is not None


def test_token_form_keeps_input_and_explains_a_missing_name(client, login_as):
    login_as(Role.APPLICANT)
    page = client.post("/account/tokens", data={"name": "", "days": "0"})
    html = page.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'value="0"' in html


def test_change_password_page_links_to_the_tokens(client, login_as):
    login_as(Role.OFFICER)
    assert "/account/tokens" in client.get("/account/password").get_data(as_text=True)


def test_revoked_token_is_refused_with_an_error_object(client, login_as, session, world):
    user = login_as(Role.APPLICANT)
    raw = world.token_for(user)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoked")) is not None


def test_user_cannot_revoke_someone_elses_token(client, login_as, world, factory, session):
    other = factory.user(role=Role.APPLICANT)
    raw = world.token_for(other)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    login_as(Role.APPLICANT)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_expired_token_is_refused(app, client, world, factory, now):
    user = factory.user(role=Role.APPLICANT)
    raw = world.token_for(user, days=1)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    app.config["FIXED_NOW"] = now + timedelta(days=1, seconds=1)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_unknown_token_and_missing_token_are_refused(client):
    assert client.get("/api/v1/me", headers=bearer("bp_not-a-real-token")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_of_a_deactivated_user_stops_working(client, world, factory, session):
    user = factory.user(role=Role.APPLICANT)
    raw = world.token_for(user)
    user.active = False
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_token_records_when_it_was_last_used(client, world, factory, session, now):
    user = factory.user(role=Role.APPLICANT)
    raw = world.token_for(user)
    client.get("/api/v1/me", headers=bearer(raw))
    session.expire_all()
    assert session.scalar(select(ApiToken.last_used_at)) == now


def test_cli_creates_and_revokes_a_token(runner, client, factory):
    user = factory.user(role=Role.OFFICER)
    created = runner.invoke(args=["users", "token", "create", "--email", user.email, "--name", "ekonomi", "--days", "7"])
    assert created.exit_code == 0, created.output
    raw = created.output.strip()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    revoked = runner.invoke(args=["users", "token", "revoke", "--email", user.email, "--name", "ekonomi"])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_cli_refuses_an_unknown_user(runner):
    result = runner.invoke(args=["users", "token", "create", "--email", "nobody@example.org", "--name", "x"])
    assert result.exit_code != 0 and "No user" in result.output
