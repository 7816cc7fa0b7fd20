"""Login sessions live on the server (portal.auth.sessions): a cookie is only as good as the
session it names, and logout, a new password or time end that session."""
from datetime import timedelta

from sqlalchemy import select

from portal.clock import utcnow
from portal.models import OutboxMessage, Role
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "brand-new-secret"


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def test_a_session_cookie_replayed_after_logout_is_anonymous(client, login_as):
    login_as(Role.APPLICANT)
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert not _logged_in(client)

    client.set_cookie("session", stolen)  # the cookie as it was before logout, replayed
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.location


def test_a_password_change_ends_a_session_whose_cookie_is_replayed(app, client, factory):
    user = factory.user(role=Role.APPLICANT)
    other_device = app.test_client()
    login(other_device, user.email)
    copied = other_device.get_cookie("session").value
    login(client, user.email)
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert _logged_in(client)  # the browser that changed it stays logged in, on a new session
    assert not _logged_in(other_device)
    third = app.test_client()
    third.set_cookie("session", copied)
    assert not _logged_in(third)


def test_the_session_cookie_is_new_after_a_password_change(client, login_as):
    login_as(Role.APPLICANT)
    before = client.get_cookie("session").value
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    replay = client.application.test_client()
    replay.set_cookie("session", before)
    assert not _logged_in(replay) and _logged_in(client)


def test_a_password_reset_ends_every_session(client, app, factory, session):
    user = factory.user(role=Role.APPLICANT)
    logged_in = app.test_client()
    login(logged_in, user.email)
    client.post("/reset", data={"email": user.email})
    client.post(_reset_link(session, user.email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _logged_in(logged_in)


def test_deactivating_an_account_ends_its_sessions(client, factory, session, now):
    from portal.admin.services import update_user

    admin = factory.user(role=Role.ADMIN)
    user = factory.user(role=Role.APPLICANT)
    login(client, user.email)
    update_user(session, user, name=user.name, active=False, by=admin, now=now)
    session.commit()
    assert not _logged_in(client)


def test_a_login_ends_after_session_max_hours(app, client, factory, session):
    from portal.auth.sessions import start_session

    user = factory.user(role=Role.APPLICANT)
    max_hours = app.config["SESSION_MAX_HOURS"]
    fresh = start_session(session, user, now=utcnow() - timedelta(hours=max_hours - 1))
    stale = start_session(session, user, now=utcnow() - timedelta(hours=max_hours + 1))
    session.commit()
    for token, alive in ((fresh, True), (stale, False)):
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = token
        assert _logged_in(client) is alive


def test_the_cookie_names_a_random_session_not_the_user(client, login_as):
    """Before, the cookie held "user id.version": anyone holding SECRET_KEY could write one."""
    user = login_as(Role.APPLICANT)
    with client.session_transaction() as cookie_session:
        assert not cookie_session["_user_id"].startswith(f"{user.id}.")
        cookie_session["_user_id"] = f"{user.id}.{user.session_version}"
    assert not _logged_in(client)


def test_the_language_chosen_before_login_is_kept(client, factory):
    user = factory.user(role=Role.APPLICANT)
    client.get("/language/en")
    login(client, user.email)
    assert "Log out" in client.get("/").get_data(as_text=True)


# --- Reset links --------------------------------------------------------------------------------

def _reset_link(session, email):
    session.expire_all()
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)
                              .order_by(OutboxMessage.id.desc())).first()
    return message.body.split("http://localhost", 1)[1].split()[0]


def test_an_older_reset_link_dies_when_another_one_is_used(client, factory, session):
    user = factory.user(role=Role.APPLICANT)
    client.post("/reset", data={"email": user.email})
    older = _reset_link(session, user.email)
    client.post("/reset", data={"email": user.email})
    newer = _reset_link(session, user.email)
    assert client.post(newer, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302

    response = client.post(older, data={"password": "attackers-password", "confirm": "attackers-password"})
    assert response.status_code == 302 and response.location.endswith("/reset")
    assert login(client, user.email, "attackers-password").status_code == 422
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_dies_when_the_password_is_changed(client, factory, session):
    user = factory.user(role=Role.APPLICANT)
    client.post("/reset", data={"email": user.email})
    link = _reset_link(session, user.email)
    login(client, user.email)
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.post("/logout")

    response = client.get(link)
    assert response.status_code == 302 and response.location.endswith("/reset")
    client.post(link, data={"password": "attackers-password", "confirm": "attackers-password"})
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
