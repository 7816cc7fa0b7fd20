from datetime import timedelta

from organisations import services
from organisations.models import DeclarationSignature
from portal.models import AuditEvent, Role


def _sign(session, org, text, at):
    session.add(DeclarationSignature(organisation_id=org.id, text_id=text.id, signed_by_id=org.representatives[0].user_id,
                                     signatory_name="Ada", signed_at=at, expires_at=services.add_months(at, 12)))
    session.commit()


def test_officers_search_the_register_by_name_number_district_and_declaration(
        client, session, login_as, make_org, declaration_text, now):
    valid = make_org(name="Tensta Ungdom", districts=["Spånga-Tensta"])
    expired = make_org(name="Kista Kultur", districts=["Rinkeby-Kista"])
    make_org(name="Bromma Bollklubb", districts=["Bromma"])
    _sign(session, valid, declaration_text, now - timedelta(days=10))
    _sign(session, expired, declaration_text, now - timedelta(days=400))
    login_as(Role.OFFICER)
    client.get("/language/en")

    def names(**params):
        html = client.get("/organisations", query_string=params).data.decode()
        return [n for n in ("Tensta Ungdom", "Kista Kultur", "Bromma Bollklubb") if n in html]

    assert names() == ["Tensta Ungdom", "Kista Kultur", "Bromma Bollklubb"]
    assert names(q="kista") == ["Kista Kultur"]
    assert names(q=valid.org_number[:6] + "-" + valid.org_number[6:]) == ["Tensta Ungdom"]
    assert names(district="Bromma") == ["Bromma Bollklubb"]
    assert names(declaration="valid") == ["Tensta Ungdom"]
    assert names(declaration="invalid") == ["Kista Kultur", "Bromma Bollklubb"]
    assert names(status="barred") == []


def test_decision_makers_and_coordinators_see_the_register_applicants_do_not(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/organisations").status_code == 200
    client.post("/logout")
    login_as(Role.APPLICANT)
    assert client.get("/organisations").status_code == 403


def test_the_register_issues_the_same_number_of_queries_whatever_the_number_of_organisations(
        app, client, session, login_as, make_org, declaration_text, now, count_queries):
    login_as(Role.OFFICER)
    for i in range(2):
        _sign(session, make_org(name=f"Förening {i}", districts=["Bromma", "Farsta"]), declaration_text, now)
    with count_queries() as few:
        assert client.get("/organisations").status_code == 200
    for i in range(2, 12):
        _sign(session, make_org(name=f"Förening {i}", districts=["Bromma", "Farsta"]), declaration_text, now)
    with count_queries() as many:
        assert client.get("/organisations").status_code == 200
    assert many.count == few.count
    # The user with their roles, then one query: the page with its total, districts and declarations.
    assert few.count == 2


def test_staff_see_the_organisations_history(client, session, login_as, make_org):
    org = make_org()
    login_as(Role.OFFICER)
    client.get("/language/en")
    html = client.get(f"/organisations/{org.id}").data.decode()
    assert "Organisation registered" in html and "History" in html


def test_the_register_shows_the_total_districts_and_declaration_on_every_page(
        app, client, session, login_as, make_org, declaration_text, now):
    app.config["PAGE_SIZE"] = 2
    for i in range(5):
        org = make_org(name=f"Förening {i}", districts=["Farsta", "Bromma"])
        if i % 2 == 0:
            _sign(session, org, declaration_text, now)
    login_as(Role.OFFICER)
    client.get("/language/en")
    first = client.get("/organisations", query_string={"q": "FÖRENING"}).data.decode()
    assert "5 organisations" in first and "Page 1 of 3" in first
    assert "Bromma, Farsta" in first
    assert first.count("<td>Valid</td>") == 1 and first.count("<td>Not valid</td>") == 1  # 0 signed, 1 not
    last = client.get("/organisations", query_string={"q": "förening", "page": 3}).data.decode()
    assert "Förening 4" in last and "5 organisations" in last
    past_the_end = client.get("/organisations", query_string={"q": "förening", "page": 9}).data.decode()
    assert "5 organisations" in past_the_end and "No organisations match." in past_the_end
    nothing = client.get("/organisations", query_string={"q": "ingen sådan"}).data.decode()
    assert "0 organisations" in nothing
