import re

from sqlalchemy import func, select

from organisations.models import BoardMember, JoinRequest, Organisation, Representative
from portal.models import AuditEvent, OutboxMessage, Role, User
from tests.conftest import login
from tests.organisations.conftest import profile_form_data, valid_org_number


def _confirm_link(session, email):
    body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.to_address == email)
                          .order_by(OutboxMessage.id.desc()))
    return re.search(r"http://localhost(/account/confirm/\S+)", body).group(1)


def test_the_welcome_page_links_to_registration(client):
    response = client.get("/")
    assert b'href="/account/register"' in response.data


def test_a_new_person_creates_an_account_and_confirms_it_once(client, session):
    response = client.post("/account/register", data={"name": "Nora Ny", "email": "Nora@Example.org",
                                                      "password": "ett-langt-losen", "confirm": "ett-langt-losen"})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "nora@example.org"))
    assert user.has_role(Role.APPLICANT) and user.email_confirmed_at is None
    # Not logged in by the form (it answers the same for an address with an account); unconfirmed,
    # the person may log in but not register an organisation yet.
    assert login(client, "nora@example.org", "ett-langt-losen").status_code == 302
    assert client.get("/my/organisations/new").status_code == 302
    link = _confirm_link(session, "nora@example.org")
    assert client.get(link).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email_confirmed_at is not None
    assert client.get("/my/organisations/new").status_code == 200
    # The link works once only.
    client.get(link)
    session.expire_all()
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.email_confirmed")) == 1


def test_an_unconfirmed_applicant_sees_a_banner_and_can_ask_for_a_new_link(client, session, factory):
    user = factory.user(role=Role.APPLICANT, confirmed=False)
    login(client, user.email)
    client.get("/language/en")
    assert b"Send the link again" in client.get("/my/organisations").data
    client.post("/account/confirm/resend")
    assert session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address == user.email)) == 1


def test_an_applicant_registers_an_organisation_with_board_and_history(client, session, login_as):
    user = login_as(Role.APPLICANT)
    number = valid_org_number()
    response = client.post("/my/organisations/new", data=profile_form_data(org_number=number[:6] + "-" + number[6:]))
    assert response.status_code == 302, response.data
    org = session.scalar(select(Organisation).where(Organisation.org_number == number))
    assert org.payment_account == "50501055" and org.members_women == 10
    assert [(b.name, b.authorised_signatory) for b in org.board_members] == [("Ada Ordförande", True),
                                                                              ("Bo Kassör", False)]
    assert org.district_names == ["Rinkeby-Kista"]
    assert org.representatives[0].user_id == user.id
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "organisation",
                                                          AuditEvent.object_id == str(org.id))) == "organisation.registered"


def test_bad_input_is_shown_beside_the_field_the_rest_is_kept_and_nothing_is_saved(client, session, login_as):
    login_as(Role.APPLICANT)
    client.get("/language/en")
    response = client.post("/my/organisations/new", data=profile_form_data(
        org_number="802412-3451", name="Kvar Kvar Förening"))
    assert response.status_code == 422
    html = response.data.decode()
    assert re.search(r'id="org_number-error">[^<]*check digit', html)
    assert 'value="Kvar Kvar Förening"' in html and 'value="Ada Ordförande"' in html
    response = client.post("/my/organisations/new", data=profile_form_data(
        org_number=valid_org_number(), payment_account="5050-1056"))
    assert re.search(r'id="payment_account-error">[^<]*check digit', response.data.decode())
    response = client.post("/my/organisations/new", data=profile_form_data(
        org_number=valid_org_number(), **{"board-0-authorised_signatory": ""}))
    assert "authorised to sign" in response.data.decode()
    assert session.scalar(select(func.count(Organisation.id))) == 0
    assert session.scalar(select(func.count(BoardMember.id))) == 0


def test_a_second_registration_of_the_same_number_becomes_a_join_request(client, session, factory, make_org, now):
    first = factory.user(role=Role.APPLICANT)
    org = make_org(representative=first)
    second = factory.user(role=Role.APPLICANT)
    login(client, second.email)
    response = client.post("/my/organisations/new", data=profile_form_data(org_number=org.org_number,
                                                                          name="Kapad Förening"))
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count(Organisation.id))) == 1
    assert session.get(Organisation, org.id).name == "Föreningen Exempel"
    join = session.scalar(select(JoinRequest))
    assert join.user_id == second.id and join.status == "pending"
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == first.email)) is not None
    # The second person does not get access before approval.
    assert client.get(f"/organisations/{org.id}").status_code == 404
    # The existing representative approves.
    client.post("/logout")
    login(client, first.email)
    assert client.post(f"/organisations/{org.id}/join-requests/{join.id}/approve").status_code == 302
    session.expire_all()
    assert {r.user_id for r in session.get(Organisation, org.id).representatives} == {first.id, second.id}


def test_a_declined_join_request_gives_no_access(client, session, factory, make_org):
    first = factory.user(role=Role.APPLICANT)
    org = make_org(representative=first)
    second = factory.user(role=Role.APPLICANT)
    login(client, second.email)
    client.post("/my/organisations/new", data=profile_form_data(org_number=org.org_number))
    join = session.scalar(select(JoinRequest))
    client.post("/logout")
    login(client, first.email)
    client.post(f"/organisations/{org.id}/join-requests/{join.id}/decline")
    session.expire_all()
    assert session.get(JoinRequest, join.id).status == "declined"
    assert session.scalar(select(func.count(Representative.id)).where(Representative.user_id == second.id)) == 0


def test_editing_the_profile_and_board_is_recorded_with_the_changes(client, session, login_as, make_org):
    user = login_as(Role.APPLICANT)
    org = make_org(representative=user)
    response = client.post(f"/organisations/{org.id}/edit", data=profile_form_data(
        name="Nytt Namn", **{"board-1-name": "", "board-1-role": "", "board-2-name": "Cia Sekreterare",
                             "board-2-role": "Sekreterare"}))
    assert response.status_code == 302
    session.expire_all()
    org = session.get(Organisation, org.id)
    assert org.name == "Nytt Namn"
    assert [b.name for b in org.board_members] == ["Ada Ordförande", "Cia Sekreterare"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated"))
    assert event.changes["name"] == ["Föreningen Exempel", "Nytt Namn"]
    assert "board" in event.changes


def _signup(client, email, name="Nora Ny"):
    return client.post("/account/register", data={"name": name, "email": email, "password": "ett-langt-losen",
                                                  "confirm": "ett-langt-losen"})


def test_registering_a_known_address_answers_as_a_new_one_and_mails_its_owner(app, client, session, factory):
    owner = factory.user(role=Role.APPLICANT, email="ulla@example.org", name="Ulla Ägare")
    client.get("/language/en")
    new = _signup(client, "nybörjare@example.org")
    shown_new = client.get(new.location).get_data(as_text=True)
    known = _signup(client, "ulla@example.org", name="Inkräktare")
    shown_known = client.get(known.location).get_data(as_text=True)
    assert new.status_code == known.status_code == 302 and new.location == known.location
    assert shown_known.replace("ulla@example.org", "X") == shown_new.replace("nybörjare@example.org", "X")
    _signup(client, "Ulla@Example.org")
    assert "We have sent an e-mail to" in shown_known

    session.expire_all()
    assert session.scalar(select(func.count(User.id)).where(User.email == "ulla@example.org")) == 1
    assert session.get(User, owner.id).name == "Ulla Ägare"
    assert login(client, "ulla@example.org", "ett-langt-losen").status_code == 422  # the form's password did nothing
    to_owner = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "ulla@example.org")).all()
    assert len(to_owner) == 1  # twice tried, mailed once within the hour
    assert "/reset" in to_owner[0].body and "/login" in to_owner[0].body
    assert "/account/confirm/" not in to_owner[0].body
