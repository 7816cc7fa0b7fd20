"""A refused form, in every package: the page answers 422 (as the API answers a refused request),
shows the message inside the field's own error element, and keeps what the user typed.

One story per package; some forms are refused by the form's own checks, some by the service.
Each test asserts 422, so it fails if its page answers 200 (or 400) again."""
from __future__ import annotations

import html
import re

from sqlalchemy import func, select
from stdnum import luhn

from eligibility.models import Finding
from monitoring.models import Experience
from organisations import services as organisation_services
from organisations.models import Organisation
from portal.models import Role, User
from tests.conftest import login

REFUSED = 422


def error_beside(page: str, field_id: str) -> str:
    """The text of the field's error element (the one its input points to with aria-describedby)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    assert match, f"no error beside {field_id}"
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def textarea_text(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).strip()


def _organisation(session, factory, now) -> Organisation:
    """An organisation registered through the service, by an applicant of its own."""
    base = "802400123"
    result = organisation_services.register_organisation(
        session, by=factory.user(role=Role.APPLICANT), org_number=base + luhn.calc_check_digit(base),
        data=organisation_services.ProfileData(
            name="Föreningen Gläntan", legal_form="non_profit_association", districts=["Rinkeby-Kista"],
            board=[organisation_services.BoardRow("Ada Ordförande", "Ordförande", True)]),
        allowed_districts=["Rinkeby-Kista"], now=now, base_url="http://localhost")
    session.commit()
    return result.organisation


def _experience(session, committee, now) -> Experience:
    """Experiences come from completed evaluations; the bank's curation needs only the row."""
    experience = Experience(title="Läxhjälp som mötesplats", summary="Föräldrar kom när vi bjöd på mat.",
                            lessons="Mat lockar föräldrar.", action_area="general", committee_id=committee.id,
                            created_at=now, updated_at=now)
    session.add(experience)
    session.commit()
    return experience


def test_organisations_signup_with_two_different_passwords_keeps_name_and_address(client, session):
    client.get("/language/en")
    response = client.post("/account/register", data={
        "name": "Nora Ny", "email": "nora@example.org", "password": "ett-langt-losen", "confirm": "ett-langt-losn"})
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "confirm") == "The passwords are not the same."
    assert input_value(page, "name") == "Nora Ny" and input_value(page, "email") == "nora@example.org"
    assert session.scalar(select(func.count(User.id)).where(User.email == "nora@example.org")) == 0


def test_eligibility_finding_about_a_board_member_without_a_name_keeps_the_evidence(client, session, factory,
                                                                                   login_as, now):
    organisation = _organisation(session, factory, now)
    login_as(Role.OFFICER)
    client.get("/language/en")
    evidence = "Ordföranden uppmanade till våld i ett tal den 1 februari; filmen finns på föreningens sida."
    response = client.post(f"/eligibility/organisations/{organisation.id}/findings/new", data={
        "conduct_on": "2026-02-01", "category": "violence", "actor_kind": "board_member", "actor_name": "",
        "source_category": "media", "evidence": evidence})
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "actor_name") == "Name the person who acted for the organisation."
    assert textarea_text(page, "evidence") == evidence and input_value(page, "conduct_on") == "2026-02-01"
    assert session.scalar(select(func.count(Finding.id))) == 0


def test_monitoring_curating_an_experience_without_lessons_keeps_the_new_title(client, session, factory,
                                                                            login_as, now):
    experience = _experience(session, factory.committee(), now)
    login_as(Role.COORDINATOR)
    client.get("/language/en")
    response = client.post(f"/monitoring/experiences/{experience.id}/edit", data={
        "title": "Mat som väg in till föräldrarna", "summary": "Föräldrar kom när vi bjöd på mat.",
        "what_worked": "", "what_did_not": "", "lessons": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "lessons") == "Write down the lessons learned."
    assert input_value(page, "title") == "Mat som väg in till föräldrarna"
    session.expire_all()
    assert session.get(Experience, experience.id).title == "Läxhjälp som mötesplats"  # nothing half-saved


def test_admin_officer_without_a_committee_keeps_name_and_address(client, session, login_as):
    login_as(Role.ADMIN)
    client.get("/language/en")
    response = client.post("/admin/users/new", data={
        "email": "ny.handlaggare@example.org", "name": "Ny Handläggare", "password": "long-enough-1",
        "role": "officer", "committee_id": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "committee_id") == "An officer or decision maker must belong to a committee."
    assert input_value(page, "name") == "Ny Handläggare"
    assert input_value(page, "email") == "ny.handlaggare@example.org"
    assert session.scalar(select(func.count(User.id)).where(User.email == "ny.handlaggare@example.org")) == 0


def test_auth_login_without_a_password_keeps_the_address(client, factory):
    user = factory.user(role=Role.APPLICANT)
    client.get("/language/en")
    response = login(client, user.email, "")
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "password") == "Enter your password."
    assert input_value(page, "email") == user.email
    assert client.get("/account/password").status_code == 302  # not logged in


def test_admin_refused_role_leaves_the_account_form_beside_it_as_saved(client, factory, login_as):
    login_as(Role.ADMIN)
    user = factory.user(role=Role.APPLICANT, name="Aktiv Användare")
    client.get("/language/en")
    response = client.post(f"/admin/users/{user.id}/roles", data={"role-role": "officer", "role-committee_id": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == REFUSED
    assert error_beside(page, "role-committee_id") == "An officer or decision maker must belong to a committee."
    # Saving the account form next must not deactivate the user: its box shows the saved state.
    assert "checked" in re.search(r'<input[^>]*\bname="active"[^>]*>', page).group(0)
    assert input_value(page, "name") == "Aktiv Användare"
