from pathlib import Path

from babel.messages.pofile import read_po

from portal.models import Role

ROOT = Path(__file__).resolve().parents[2]


def test_swedish_is_the_default_language(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Logga in" in page and "Lösenord" in page


def test_the_language_switch_changes_to_english_and_back(client):
    response = client.get("/language/en?next=/login")
    assert response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Password" in page
    client.get("/language/sv")
    assert "Lösenord" in client.get("/login").get_data(as_text=True)


def test_the_language_switch_refuses_to_redirect_elsewhere(client):
    assert client.get("/language/en?next=//evil.example/x").location == "/"


def test_error_pages_in_both_languages(client):
    sv = client.get("/no-such-page")
    assert sv.status_code == 404 and "Sidan finns inte" in sv.get_data(as_text=True)
    client.get("/language/en")
    en = client.get("/no-such-page")
    assert en.status_code == 404 and "Page not found" in en.get_data(as_text=True)


def test_forbidden_page_in_both_languages(client, login_as):
    login_as(Role.APPLICANT)
    assert "Inte tillåtet" in client.get("/admin/users").get_data(as_text=True)
    client.get("/language/en")
    assert "Not allowed" in client.get("/admin/users").get_data(as_text=True)


def test_server_error_page_says_nothing_was_saved(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "Inget har sparats" in response.get_data(as_text=True)


def test_every_swedish_catalogue_is_fully_translated():
    # Sub-packages (portal/api, monitoring/insight) keep catalogues of their own: read them too.
    catalogues = [p for p in ROOT.glob("**/translations/sv/LC_MESSAGES/messages.po") if ".venv" not in p.parts]
    assert catalogues, "no Swedish catalogue found"
    for path in catalogues:
        with path.open("rb") as f:
            catalogue = read_po(f)
        untranslated = [m.id for m in catalogue if m.id and not m.string]
        assert untranslated == [], f"{path}: untranslated {untranslated[:5]}"


def test_pages_have_landmarks_a_skip_link_and_labelled_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert '<label for="email">' in page and '<label for="password">' in page


def test_navigation_shows_administration_only_to_admins(client, login_as, app):
    login_as(Role.OFFICER)
    assert "/admin/users" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login_as(Role.ADMIN)
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_stylesheet_is_served_locally(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in page
    assert "https://" not in page.split("<body")[0]
    assert client.get("/static/css/app.css").status_code == 200


def test_money_is_shown_in_swedish_format(app):
    from portal.formatting import format_money

    assert format_money(123450) == "1\u00a0234,50\u00a0kr"
    assert format_money(5) == "0,05\u00a0kr"


def test_templates_render_outside_a_request_for_the_cli_and_scheduler(app):
    # PDF templates are rendered by jobs with no request and no logged-in user.
    from flask import render_template_string

    assert render_template_string("{{ nav_items|length }} {{ _('Page not found') }}") == "0 Sidan finns inte"


def test_a_letter_in_another_language_mid_request_is_in_that_language_and_the_page_is_not(app):
    # Translations are cached per request (portal.i18n); force_locale must still switch them.
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    template = "{{ _('Log in') }}|{{ label }}"
    with app.test_request_context("/"):
        label = lazy_gettext("Password")
        assert render_template_string(template, label=label) == "Logga in|Lösenord"
        with force_locale("en"):
            assert render_template_string(template, label=label) == "Log in|Password"
            assert gettext("Log in") == "Log in"
        assert render_template_string(template, label=label) == "Logga in|Lösenord"
        assert gettext("Log in") == "Logga in"


def test_a_logged_in_page_loads_the_user_and_roles_in_one_query(app, client, login_as, factory, count_queries):
    committee = factory.committee()
    login_as(Role.OFFICER, committee=committee)
    with count_queries() as counter:
        page = client.get("/").get_data(as_text=True)
    assert committee.name in page  # the role's committee is shown, from the same query
    assert counter.count == 1
