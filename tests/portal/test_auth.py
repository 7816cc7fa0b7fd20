from datetime import timedelta

from sqlalchemy import func, select

from portal.models import AuditEvent, OutboxMessage, Role, User
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

WRONG = "The e-mail address or password is wrong."


def test_login_with_the_right_password_opens_the_start_page(client, factory):
    user = factory.user(role=Role.APPLICANT, name="Selma Sökande")
    response = login(client, user.email)
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Selma Sökande" in page


def test_login_email_is_not_case_sensitive(client, factory):
    user = factory.user(role=Role.APPLICANT, email="mixed@example.org")
    assert login(client, "  MIXED@Example.org ").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, factory):
    client.get("/language/en")
    user = factory.user(role=Role.APPLICANT)
    wrong_password = login(client, user.email, "not-the-password")
    unknown_email = login(client, "nobody@example.org", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert WRONG in wrong_password.get_data(as_text=True)
    assert WRONG in unknown_email.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, factory, session, now):
    from portal.admin.services import update_user

    admin = factory.user(role=Role.ADMIN)
    user = factory.user(role=Role.APPLICANT)
    update_user(session, user, name=user.name, active=False, by=admin, now=now)
    session.commit()
    client.get("/language/en")
    assert WRONG in login(client, user.email).get_data(as_text=True)


def test_too_many_failures_for_one_account_block_even_the_right_password(app, client, factory):
    client.get("/language/en")
    user = factory.user(role=Role.APPLICANT)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert login(client, user.email, "guess-guess").status_code == 422
    blocked = login(client, user.email)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)

    # After the throttle window the right password works again.
    app.config["FIXED_NOW"] = app.config["FIXED_NOW"] + timedelta(minutes=app.config["LOGIN_THROTTLE_MINUTES"] + 1)
    assert login(client, user.email).status_code == 302


def test_throttling_an_account_also_applies_to_unknown_addresses(app, client):
    # Otherwise the throttle would reveal which e-mail addresses are registered.
    client.get("/language/en")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        login(client, "ghost@example.org", "guess-guess")
    assert login(client, "ghost@example.org", "guess-guess").status_code == 429


def test_too_many_failures_from_one_address_block_that_address(app, client, factory):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    user = factory.user(role=Role.APPLICANT)
    for i in range(4):
        login(client, f"someone{i}@example.org", "guess-guess")
    assert login(client, user.email).status_code == 429
    # Another address is not affected.
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client, login_as):
    login_as(Role.APPLICANT)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/account/password").status_code == 302  # back to the login page


def test_change_password_checks_the_current_one_and_keeps_input(client, login_as, session):
    user = login_as(Role.APPLICANT)
    client.get("/language/en")
    response = client.post("/account/password", data={
        "current_password": "wrong-wrong-wrong", "new_password": "brand-new-secret", "confirm": "brand-new-secret"})
    page = response.get_data(as_text=True)
    assert "The current password is wrong." in page
    assert 'aria-invalid="true"' in page

    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "brand-new-secret", "confirm": "brand-new-secret"})
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 422
    assert login(client, user.email, "brand-new-secret").status_code == 302
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.password_changed", AuditEvent.object_id == str(user.id))) == 1


def test_changing_the_password_ends_the_users_other_sessions(app, client, login_as):
    user = login_as(Role.APPLICANT)
    other_device = app.test_client()
    login(other_device, user.email)
    assert other_device.get("/account/password").status_code == 200
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "brand-new-secret", "confirm": "brand-new-secret"})
    assert other_device.get("/account/password").status_code == 302
    assert client.get("/account/password").status_code == 200


def test_short_new_password_is_refused_beside_the_field(client, login_as):
    login_as(Role.APPLICANT)
    client.get("/language/en")
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"})
    assert "at least 10 characters" in response.get_data(as_text=True)


def _reset_link(session, email):
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)
                              .order_by(OutboxMessage.id.desc())).first()
    assert message is not None
    return message.body.split("http://localhost", 1)[1].split()[0]


def test_password_reset_by_e_mail_works_once(client, factory, session):
    user = factory.user(role=Role.APPLICANT)
    response = client.post("/reset", data={"email": user.email})
    assert response.status_code == 302
    link = _reset_link(session, user.email)
    assert link.startswith("/reset/")
    response = client.post(link, data={"password": "reset-new-secret", "confirm": "reset-new-secret"})
    assert response.status_code == 302
    assert login(client, user.email, "reset-new-secret").status_code == 302
    client.post("/logout")
    # The same link a second time is refused.
    response = client.post(link, data={"password": "another-secret-1", "confirm": "another-secret-1"})
    assert response.status_code == 302 and response.location.endswith("/reset")
    assert login(client, user.email, "another-secret-1").status_code == 422


def test_password_reset_link_expires(app, client, factory, session):
    user = factory.user(role=Role.APPLICANT)
    client.post("/reset", data={"email": user.email})
    link = _reset_link(session, user.email)
    app.config["FIXED_NOW"] += timedelta(hours=app.config["PASSWORD_RESET_HOURS"], minutes=1)
    response = client.post(link, data={"password": "reset-new-secret", "confirm": "reset-new-secret"})
    assert response.status_code == 302 and response.location.endswith("/reset")
    assert login(client, user.email, "reset-new-secret").status_code == 422


def test_password_reset_does_not_reveal_unknown_addresses(client, factory, session):
    client.get("/language/en")
    user = factory.user(role=Role.APPLICANT)
    known = client.post("/reset", data={"email": user.email}, follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True).get_data(as_text=True)
    assert "If there is an account for that address" in known
    assert "If there is an account for that address" in unknown
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.to_address == "nobody@example.org")) == 0


def test_password_reset_requests_are_limited_per_hour(client, factory, session):
    user = factory.user(role=Role.APPLICANT)
    for _ in range(5):
        client.post("/reset", data={"email": user.email})
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.to_address == user.email)) == 3


def test_session_cookie_is_httponly_and_samesite_lax(client, factory):
    user = factory.user(role=Role.APPLICANT)
    response = login(client, user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain http


def test_passwords_are_stored_as_argon2_hashes(factory, session):
    user = factory.user(role=Role.APPLICANT)
    stored = session.get(User, user.id).password_hash
    assert stored.startswith("$argon2")
    assert DEFAULT_PASSWORD not in stored


def test_open_redirects_are_refused_after_login(client, factory):
    user = factory.user(role=Role.APPLICANT)
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.location == "/"
