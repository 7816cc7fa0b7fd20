import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Committee, CommitteeKind, Role, User

ADMIN_GET_URLS = ["/admin/users", "/admin/users/new", "/admin/committees", "/admin/committees/new",
                  "/admin/outbox", "/admin/audit"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in ADMIN_GET_URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR])
def test_other_roles_are_refused_every_admin_page_and_action(client, login_as, factory, session, role):
    user = login_as(role)
    committee = factory.committee("Skyddad nämnd")
    for url in ADMIN_GET_URLS + [f"/admin/users/{user.id}", f"/admin/committees/{committee.id}"]:
        assert client.get(url).status_code == 403, url
    # Writes are refused too, and change nothing.
    assert client.post(f"/admin/users/{user.id}/roles", data={"role-role": "admin"}).status_code == 403
    assert client.post(f"/admin/committees/{committee.id}",
                       data={"name": "Kapad", "kind": "district", "active": "y"}).status_code == 403
    assert client.post("/admin/users/new", data={"email": "x@example.org", "name": "X", "password": "long-enough-1",
                                                  "role": "admin", "committee_id": "0"}).status_code == 403
    session.expire_all()
    assert not session.get(User, user.id).has_role(Role.ADMIN)
    assert session.get(Committee, committee.id).name == "Skyddad nämnd"


def test_an_officer_cannot_edit_even_their_own_committee_in_the_admin_area(client, login_as, factory, session):
    committee = factory.committee("Egen nämnd")
    login_as(Role.OFFICER, committee=committee)
    response = client.post(f"/admin/committees/{committee.id}", data={"name": "Omdöpt", "kind": "district"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Committee, committee.id).name == "Egen nämnd"


def test_admin_creates_an_officer_for_a_committee(client, login_as, factory, session):
    login_as(Role.ADMIN)
    committee = factory.committee("Bromma stadsdelsnämnd")
    response = client.post("/admin/users/new", data={
        "email": "Ny.Handlaggare@example.org", "name": "Ny Handläggare", "password": "long-enough-1",
        "role": "officer", "committee_id": str(committee.id)})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "ny.handlaggare@example.org"))
    assert user.has_committee_role(Role.OFFICER, committee.id)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id),
                                                              AuditEvent.object_type == "user_account")).all()
    assert set(actions) == {"user.created", "user.role_granted"}


def test_an_officer_without_a_committee_is_refused_beside_the_field_and_input_is_kept(client, login_as, session):
    login_as(Role.ADMIN)
    client.get("/language/en")
    response = client.post("/admin/users/new", data={
        "email": "kvar@example.org", "name": "Kvarvarande Namn", "password": "long-enough-1",
        "role": "officer", "committee_id": "0"})
    page = response.get_data(as_text=True)
    assert "An officer or decision maker must belong to a committee." in page
    assert 'value="Kvarvarande Namn"' in page
    assert 'value="kvar@example.org"' in page
    assert session.scalar(select(User).where(User.email == "kvar@example.org")) is None  # nothing half-saved


def test_duplicate_email_is_refused(client, login_as, factory):
    login_as(Role.ADMIN)
    existing = factory.user(role=Role.APPLICANT)
    client.get("/language/en")
    response = client.post("/admin/users/new", data={
        "email": existing.email, "name": "Dubblett", "password": "long-enough-1", "role": "applicant",
        "committee_id": "0"})
    assert "There is already an account with this e-mail address." in response.get_data(as_text=True)


def test_admin_adds_and_removes_roles(client, login_as, factory, session):
    login_as(Role.ADMIN)
    user = factory.user(role=Role.APPLICANT)
    committee = factory.committee()
    response = client.post(f"/admin/users/{user.id}/roles",
                           data={"role-role": "decision_maker", "role-committee_id": str(committee.id)})
    assert response.status_code == 302
    session.expire_all()
    user = session.get(User, user.id)
    assert user.has_committee_role(Role.DECISION_MAKER, committee.id)
    grant = next(g for g in user.role_grants if g.role == "decision_maker")
    assert client.post(f"/admin/users/{user.id}/roles/{grant.id}/revoke").status_code == 302
    session.expire_all()
    assert not session.get(User, user.id).holds_role_anywhere(Role.DECISION_MAKER)
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "user.role_revoked")) == 1


def test_admin_cannot_remove_their_own_admin_role(client, login_as, session):
    admin = login_as(Role.ADMIN)
    grant = admin.role_grants[0]
    client.post(f"/admin/users/{admin.id}/roles/{grant.id}/revoke")
    session.expire_all()
    assert session.get(User, admin.id).has_role(Role.ADMIN)


def test_admin_deactivates_a_user_who_is_then_logged_out(app, client, login_as, factory, session):
    from tests.conftest import login

    login_as(Role.ADMIN)
    user = factory.user(role=Role.APPLICANT)
    their_client = app.test_client()
    login(their_client, user.email)
    assert client.post(f"/admin/users/{user.id}", data={"name": user.name}).status_code == 302  # active unticked
    assert their_client.get("/account/password").status_code == 302


def test_committees_are_data_that_admins_edit(client, login_as, session):
    login_as(Role.ADMIN)
    client.post("/admin/committees/new", data={"name": "Älvsjö stadsdelsnämnd", "kind": "district"})
    client.post("/admin/committees/new", data={"name": "Hägersten-Liljeholmen stadsdelsnämnd", "kind": "district"})
    alvsjo = session.scalar(select(Committee).where(Committee.name == "Älvsjö stadsdelsnämnd"))
    hl = session.scalar(select(Committee).where(Committee.name.like("Hägersten%")))
    # The 2020 merger: one is renamed, the other made inactive.
    client.post(f"/admin/committees/{hl.id}", data={"name": "Hägersten-Älvsjö stadsdelsnämnd", "kind": "district",
                                                    "active": "y"})
    client.post(f"/admin/committees/{alvsjo.id}", data={"name": alvsjo.name, "kind": "district"})
    session.expire_all()
    assert session.get(Committee, hl.id).name == "Hägersten-Älvsjö stadsdelsnämnd"
    assert session.get(Committee, alvsjo.id).active is False
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "committee.updated").order_by(AuditEvent.id)).all()
    assert {e.object_id for e in events} == {str(hl.id), str(alvsjo.id)}
    assert events[0].changes["name"] == ["Hägersten-Liljeholmen stadsdelsnämnd", "Hägersten-Älvsjö stadsdelsnämnd"]


def test_committee_kinds_cover_the_citys_structure(client, login_as, session):
    login_as(Role.ADMIN)
    for kind in CommitteeKind:
        client.post("/admin/committees/new", data={"name": f"Nämnd {kind.value}", "kind": kind.value})
    assert {c.kind for c in session.scalars(select(Committee))} == {k.value for k in CommitteeKind}


def test_users_page_is_paginated_and_searchable(app, client, login_as, factory):
    app.config["PAGE_SIZE"] = 5
    login_as(Role.ADMIN)
    for i in range(7):
        factory.user(role=Role.APPLICANT, name=f"Person {i:02d}")
    factory.user(role=Role.APPLICANT, name="Zlatan Unik")
    page1 = client.get("/admin/users").get_data(as_text=True)
    assert "rel=\"next\"" in page1
    found = client.get("/admin/users?q=zlatan").get_data(as_text=True)
    assert "Zlatan Unik" in found and "Person 00" not in found


def test_users_page_query_count_does_not_grow_with_users(app, client, login_as, factory, count_queries):
    login_as(Role.ADMIN)
    committee = factory.committee()
    for _ in range(3):
        factory.user(role=Role.OFFICER, committee=committee)
    with count_queries() as few:
        assert client.get("/admin/users").status_code == 200
    for _ in range(15):
        factory.user(role=Role.OFFICER, committee=committee)
    with count_queries() as many:
        assert client.get("/admin/users").status_code == 200
    assert many.count == few.count


def test_admin_reads_the_outbox_and_the_audit_log(client, login_as, factory, session):
    login_as(Role.ADMIN)
    user = factory.user(role=Role.APPLICANT)
    client.post("/reset", data={"email": user.email})
    outbox_page = client.get("/admin/outbox").get_data(as_text=True)
    assert user.email in outbox_page
    audit_page = client.get("/admin/audit?object_type=user_account").get_data(as_text=True)
    assert "user.password_reset_requested" in audit_page
