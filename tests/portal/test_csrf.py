import re

import pytest

from portal.models import Role
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _url_for_rule(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", "1", url)
    return url


def test_every_form_post_without_a_csrf_token_is_refused(app, client):
    post_rules = [r for r in app.url_map.iter_rules()
                  if "POST" in r.methods and not r.rule.startswith("/api/")]
    assert len(post_rules) >= 8  # login, logout, password, reset, admin forms ...
    for rule in post_rules:
        response = client.post(_url_for_rule(rule), data={"anything": "x"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"


def test_login_with_the_token_from_the_form_works(client, factory):
    user = factory.user(role=Role.APPLICANT)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _form_token(client, url):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_the_csrf_token_is_renewed_at_login(client, factory):
    """A token learnt before login (a shared computer, a planted cookie) is worth nothing after it."""
    user = factory.user(role=Role.APPLICANT)
    token_before = _form_token(client, "/login")
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": token_before})
    assert response.status_code == 302
    token_after = _form_token(client, "/account/password")
    with client.session_transaction() as session:
        assert session["csrf_token"] != raw_before
    assert client.post("/logout", data={"csrf_token": token_before}).status_code == 400
    assert client.post("/logout", data={"csrf_token": token_after}).status_code == 302
