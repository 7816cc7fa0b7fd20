"""An applicant of organisation A gets 404 (or 403) for anything of organisation B."""
import io

from sqlalchemy import func, select

from organisations import services
from organisations.models import Document, Invitation, Organisation, Representative
from portal.models import AuditEvent, Role
from tests.conftest import login
from tests.organisations.conftest import pdf_upload, profile_form_data


def test_an_applicant_of_one_organisation_gets_404_for_everything_of_another(
        app, client, session, factory, make_org, declaration_text, now):
    owner_b = factory.user(role=Role.APPLICANT)
    org_b = make_org(representative=owner_b, name="Organisation B")
    document = services.upload_document(session, org_b, by=owner_b, kind="statutes",
                                        stream=io.BytesIO(pdf_upload()[0].getvalue()), original_name="b.pdf",
                                        year=None, now=now, upload_dir=app.config["UPLOAD_DIR"], max_bytes=10**6)
    other_rep = factory.user(role=Role.APPLICANT)
    org_b.representatives.append(Representative(user_id=other_rep.id, added_at=now))
    session.commit()
    rep_id = org_b.representatives[1].id

    user_a = login_as_applicant_of_a(client, factory, make_org)
    b = org_b.id
    assert client.get(f"/organisations/{b}").status_code == 404
    assert client.get(f"/organisations/{b}/edit").status_code == 404
    assert client.post(f"/organisations/{b}/edit", data=profile_form_data(name="Kapad")).status_code == 404
    assert client.get(f"/organisations/{b}/declaration").status_code == 404
    assert client.post(f"/organisations/{b}/declaration",
                       data={"board_member_id": org_b.board_members[0].id, "confirm": "y"}).status_code == 404
    assert client.get(f"/organisations/{b}/documents/{document.id}").status_code == 404
    assert client.post(f"/organisations/{b}/documents",
                       data={"kind": "statutes", "file": pdf_upload()}).status_code == 404
    assert client.post(f"/organisations/{b}/representatives/invite",
                       data={"email": "x@example.org"}).status_code == 404
    assert client.post(f"/organisations/{b}/representatives/{rep_id}/remove").status_code == 404
    assert client.post(f"/organisations/{b}/join-requests/1/approve").status_code == 404
    assert client.get("/organisations").status_code == 403  # the staff register
    assert b"Organisation B" not in client.get("/my/organisations").data
    session.expire_all()
    org_b = session.get(Organisation, b)
    assert org_b.name == "Organisation B" and len(org_b.representatives) == 2
    assert session.scalar(select(func.count(Document.id))) == 1
    assert session.scalar(select(func.count(Invitation.id))) == 0
    assert user_a is not None


def login_as_applicant_of_a(client, factory, make_org):
    user = factory.user(role=Role.APPLICANT)
    make_org(representative=user, name="Organisation A")
    login(client, user.email)
    return user


def test_a_document_of_ones_own_organisation_cannot_be_reached_through_another_organisations_url(
        app, client, session, factory, make_org, now):
    owner_b = factory.user(role=Role.APPLICANT)
    org_b = make_org(representative=owner_b, name="Organisation B")
    document = services.upload_document(session, org_b, by=owner_b, kind="statutes",
                                        stream=io.BytesIO(pdf_upload()[0].getvalue()), original_name="b.pdf",
                                        year=None, now=now, upload_dir=app.config["UPLOAD_DIR"], max_bytes=10**6)
    session.commit()
    user = factory.user(role=Role.APPLICANT)
    org_a = make_org(representative=user, name="Organisation A")
    login(client, user.email)
    assert client.get(f"/organisations/{org_a.id}/documents/{document.id}").status_code == 404


def test_staff_see_an_organisation_but_cannot_change_it(client, session, login_as, make_org):
    org = make_org()
    login_as(Role.OFFICER)
    assert client.get(f"/organisations/{org.id}").status_code == 200
    assert client.post(f"/organisations/{org.id}/edit", data=profile_form_data(name="Ändrad")).status_code == 403
    assert client.post(f"/organisations/{org.id}/representatives/invite",
                       data={"email": "x@example.org"}).status_code == 403
    session.expire_all()
    assert session.get(Organisation, org.id).name == "Föreningen Exempel"


def test_a_representative_invites_another_person_who_accepts_once(client, session, factory, make_org, now):
    inviter = factory.user(role=Role.APPLICANT)
    org = make_org(representative=inviter)
    login(client, inviter.email)
    assert client.post(f"/organisations/{org.id}/representatives/invite",
                       data={"email": "ny@example.org"}).status_code == 302
    from portal.models import OutboxMessage
    import re

    body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == "ny@example.org"))
    link = re.search(r"http://localhost(/invitations/\S+)", body).group(1)
    client.post("/logout")
    # A different account cannot use the link.
    stranger = factory.user(role=Role.APPLICANT)
    login(client, stranger.email)
    client.post(link)
    session.expire_all()
    assert len(session.get(Organisation, org.id).representatives) == 1
    client.post("/logout")
    invitee = factory.user(email="ny@example.org")  # no role yet: gets applicant by accepting
    login(client, invitee.email)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    session.expire_all()
    assert {r.user_id for r in session.get(Organisation, org.id).representatives} == {inviter.id, invitee.id}
    assert session.get(type(invitee), invitee.id).has_role(Role.APPLICANT)
    # Single use.
    assert client.get(link).status_code == 302
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "representative.added")) == 1


def test_an_expired_invitation_is_refused(app, client, session, factory, make_org, now):
    from datetime import timedelta

    inviter = factory.user(role=Role.APPLICANT)
    org = make_org(representative=inviter)
    services.invite_representative(session, org, email="sen@example.org", by=inviter, now=now,
                                   base_url="http://localhost", valid_days=14)
    session.commit()
    from portal.models import OutboxMessage
    import re

    body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == "sen@example.org"))
    token = re.search(r"/invitations/(\S+)", body).group(1)
    invitee = factory.user(role=Role.APPLICANT, email="sen@example.org")
    app.config["FIXED_NOW"] = now + timedelta(days=15)
    login(client, invitee.email)
    client.post(f"/invitations/{token}")
    session.expire_all()
    assert len(session.get(Organisation, org.id).representatives) == 1


def test_a_representative_removes_another_but_never_the_last_one(client, session, factory, make_org, now):
    first = factory.user(role=Role.APPLICANT)
    second = factory.user(role=Role.APPLICANT)
    org = make_org(representative=first)
    org.representatives.append(Representative(user_id=second.id, added_at=now))
    session.commit()
    second_rep = next(r for r in org.representatives if r.user_id == second.id)
    first_rep = next(r for r in org.representatives if r.user_id == first.id)
    login(client, first.email)
    client.post(f"/organisations/{org.id}/representatives/{second_rep.id}/remove")
    client.post(f"/organisations/{org.id}/representatives/{first_rep.id}/remove")
    session.expire_all()
    assert [r.user_id for r in session.get(Organisation, org.id).representatives] == [first.id]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("representative.%"))).all()
    assert actions == ["representative.removed"]
