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
