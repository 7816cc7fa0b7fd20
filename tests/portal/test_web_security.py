"""What every answer carries (portal.web_security): security headers on pages, API answers and
error pages; the client's address behind trusted proxies; the `Allow` header of a 405."""
import re

import pytest

from portal.config import PROJECT_ROOT
from portal.models import Role
from tests.conftest import login

PUBLIC_API = "/api/v1/open-data/360giving/grants"


@pytest.fixture
def app_config(request):
    """Settings of a test's app: `@pytest.mark.parametrize("app_config", [{...}], indirect=True)`."""
    return getattr(request, "param", {})


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url, status", [("/", 200), ("/login", 200), (PUBLIC_API, 200),
                                         ("/no-such-page", 404), ("/api/v1/no-such-thing", 404)])
def test_pages_api_answers_and_error_pages_carry_the_security_headers(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    csp = _directives(response)
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"  # no 'unsafe-inline'
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_page_with_a_one_click_form_may_not_be_framed_by_another_site(client, login_as):
    login_as(Role.APPLICANT)
    response = client.get("/account/password")
    assert 'method="post"' in response.get_data(as_text=True)
    assert _directives(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_template_has_inline_script_or_style_which_the_policy_would_block():
    """The policy allows no inline script or style; a template with one would break in the
    browser. (PDF templates are rendered on the server, never sent to a browser.)"""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=|javascript:", re.I)
    offenders = []
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if "render_pdf" in text or template.name.endswith(("_pdf.html", "_letter.html")):  # letters are PDFs
            continue
        offenders += [f"{template.relative_to(PROJECT_ROOT)}: {match.group(0)}" for match in inline.finditer(text)]
    assert offenders == []


def test_https_is_not_forced_in_development_and_tests(client):
    response = client.get("/login")
    assert response.status_code == 200 and "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("app_config", [{"FORCE_HTTPS": True}], indirect=True)
def test_with_force_https_plain_http_is_sent_to_https(client):
    response = client.get("/login")
    assert response.status_code == 302 and response.location.startswith("https://")
    secure = client.get("/login", base_url="https://localhost")
    assert secure.status_code == 200 and secure.headers["Strict-Transport-Security"].startswith("max-age=")


# --- The client's address behind reverse proxies -------------------------------------------------

THROTTLE = {"LOGIN_MAX_FAILURES_PER_ADDRESS": 2, "LOGIN_MAX_FAILURES_PER_ACCOUNT": 100}


def _fail_twice_from(client, address):
    for n in range(2):
        assert login_from(client, address, f"guess{n}@example.org", "wrong-password").status_code == 422


def login_from(client, address, email, password="correct-horse-battery"):
    return client.post("/login", data={"email": email, "password": password},
                       headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "10.0.0.2"})


@pytest.mark.parametrize("app_config", [{**THROTTLE, "TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_one_trusted_proxy_each_client_is_throttled_by_its_own_address(client, factory):
    user = factory.user(role=Role.APPLICANT)
    _fail_twice_from(client, "203.0.113.7")
    assert login_from(client, "203.0.113.7", user.email).status_code == 429
    assert login_from(client, "198.51.100.9", user.email).status_code == 302  # another client, same proxy


@pytest.mark.parametrize("app_config", [{**THROTTLE, "TRUSTED_PROXIES": 1}], indirect=True)
def test_a_client_cannot_pick_its_address_past_the_trusted_proxy(client, factory):
    """With one trusted proxy only the address it appended counts; a forged one before it does not."""
    user = factory.user(role=Role.APPLICANT)
    _fail_twice_from(client, "203.0.113.7")
    assert login_from(client, "198.51.100.9, 203.0.113.7", user.email).status_code == 429


@pytest.mark.parametrize("app_config", [{**THROTTLE, "TRUSTED_PROXIES": 0}], indirect=True)
def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(client, factory):
    user = factory.user(role=Role.APPLICANT)
    _fail_twice_from(client, "203.0.113.7")
    assert login_from(client, "198.51.100.9", user.email).status_code == 429  # the same client, whatever it says


# --- 405 ----------------------------------------------------------------------------------------

def test_an_api_405_names_the_allowed_methods(client):
    response = client.delete(PUBLIC_API)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_page_405_names_the_allowed_methods(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.headers["X-Frame-Options"] == "DENY"  # an error page is protected too
