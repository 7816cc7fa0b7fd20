from datetime import timedelta

import pytest
from sqlalchemy import select

from organisations import services
from organisations.declarations import declaration_status
from organisations.models import DeclarationSignature
from portal.errors import DomainError
from portal.models import AuditEvent, Role
from tests.conftest import login


def _sign(client, org):
    member = next(b for b in org.board_members if b.authorised_signatory)
    return client.post(f"/organisations/{org.id}/declaration", data={"board_member_id": member.id, "confirm": "y"})


def test_an_authorised_signatory_signs_and_the_signature_records_version_signer_and_time(
        client, session, factory, make_org, declaration_text, now):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    assert "Demokratiförklaring" in client.get(f"/organisations/{org.id}/declaration").data.decode()
    assert _sign(client, org).status_code == 302
    signature = session.scalar(select(DeclarationSignature))
    assert (signature.text_id, signature.signed_by_id, signature.signatory_name, signature.signed_at) == (
        declaration_text.id, user.id, "Ada Ordförande", now)
    assert signature.expires_at == now.replace(year=now.year + 1)
    assert declaration_status(session, org.id, now).valid
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "declaration.signed"))


def test_a_board_member_without_signing_authority_cannot_sign(client, session, factory, make_org, declaration_text):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    client.get("/language/en")
    not_authorised = next(b for b in org.board_members if not b.authorised_signatory)
    response = client.post(f"/organisations/{org.id}/declaration",
                           data={"board_member_id": not_authorised.id, "confirm": "y"})
    assert "authorised to sign" in response.data.decode()
    assert session.scalar(select(DeclarationSignature)) is None


def test_the_declaration_expires_and_can_be_signed_again(app, client, session, factory, make_org, declaration_text,
                                                         now):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    _sign(client, org)
    later = now + timedelta(days=366)
    assert declaration_status(session, org.id, later).reason == "expired"
    app.config["FIXED_NOW"] = later
    client.get("/language/en")
    assert b"Expired" in client.get(f"/organisations/{org.id}").data
    _sign(client, org)
    assert declaration_status(session, org.id, later).valid


def test_the_validity_period_is_a_setting(app, client, session, factory, make_org, declaration_text, now):
    app.config["DECLARATION_VALID_MONTHS"] = 6
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    _sign(client, org)
    assert session.scalar(select(DeclarationSignature.expires_at)) == now.replace(month=now.month + 6)


def test_a_new_text_version_requires_a_new_signature(client, session, factory, make_org, declaration_text, now,
                                                    login_as):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    _sign(client, org)
    client.post("/logout")
    login_as(Role.ADMIN)
    assert client.get("/admin/declaration").status_code == 200
    response = client.post("/admin/declaration", data={"text_sv": "Ny text", "text_en": "New text"})
    assert response.status_code == 302
    status = declaration_status(session, org.id, now)
    assert status.reason == "old_version" and status.current_text.version == 2


def test_only_admins_publish_declaration_texts(client, session, login_as, declaration_text):
    login_as(Role.COORDINATOR)
    assert client.post("/admin/declaration", data={"text_sv": "X", "text_en": "Y"}).status_code == 403
    with pytest.raises(DomainError):
        services.publish_declaration_text(session, text_sv="", text_en="Y", by=None, now=declaration_text.published_at)


def test_with_no_text_published_yet_signing_publishes_the_built_in_version_one(client, session, factory, make_org,
                                                                               now):
    user = factory.user(role=Role.APPLICANT)
    org = make_org(representative=user)
    login(client, user.email)
    assert "Demokratiförklaring" in client.get(f"/organisations/{org.id}/declaration").data.decode()
    _sign(client, org)
    status = declaration_status(session, org.id, now)
    assert status.valid and status.current_text.version == 1
