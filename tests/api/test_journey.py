"""The whole applicant journey through the API alone, with a token: register the organisation, sign
the democracy declaration, start, fill in and submit an application, then, once the committee has
decided (done here through the services, as the officer's pages do), read the grant and its plan and
submit the first report. Every write leaves the same audit event as the same action in a page."""
from __future__ import annotations

from sqlalchemy import select

from grants import services
from grants.models import Application
from portal.models import AuditEvent, Role
from tests.api.applicant_world import FULL_DRAFT
from tests.api.conftest import bearer
from tests.grants.conftest import GrantsWorld


def test_an_applicant_takes_an_application_from_registration_to_report_through_the_api(
        app, client, session, factory, world, now):
    # The city's side, set up as the officers' pages would: an open programme and published rules.
    grants_world = GrantsWorld(session, factory, now)
    committee = factory.committee("Rinkeby-Kista stadsdelsnämnd")
    officer = factory.user(role=Role.OFFICER, committee=committee)
    decider = factory.user(role=Role.DECISION_MAKER, committee=committee)
    grants_world.rule_set()
    programme = grants_world.programme(committee)

    applicant, token = world.user_with_token(Role.APPLICANT)
    api = bearer(token)

    def call(method, path, expected=200, **kwargs):
        response = getattr(client, method)(f"/api/v1{path}", headers=api, **kwargs)
        assert response.status_code == expected, (path, response.json)
        return response.json

    open_programmes = call("get", "/programmes")["items"]
    assert [p["id"] for p in open_programmes] == [programme.id]

    registered = call("post", "/organisations", 201, json={
        "org_number": "802400-0013", "name": "Förening Gemenskap i Rinkeby", "legal_form": "non_profit_association",
        "districts": ["Rinkeby-Kista"], "email": "info@gemenskap.example",
        "board": [{"name": "Selma Sökande", "role": "Ordförande", "authorised_signatory": True}]})
    organisation = registered["organisation"]

    declaration = call("post", f"/organisations/{organisation['id']}/declarations", 201,
                       json={"board_member_id": organisation["board"][0]["id"], "confirm": True})
    assert declaration["valid"] is True

    draft = call("post", "/applications", 201,
                 json={"programme_id": programme.id, "organisation_id": organisation["id"]})
    filled = call("patch", f"/applications/{draft['id']}", json={"version": draft["version"], **FULL_DRAFT})
    assert filled["missing"] == []

    submitted = call("post", f"/applications/{draft['id']}/submit")
    assert submitted["status"] == "submitted" and submitted["receipt"]["reference"] == submitted["reference"]
    assert call("get", f"/my/applications/{draft['id']}")["receipt"] == submitted["receipt"]

    # The committee's side (another API audience): plan and approval through the same services.
    application = session.get(Application, draft["id"])
    grants_world.complete_plan(application, officer)
    services.decide(session, application, outcome="approve", amount=None, reasons="Väl underbyggd ansökan.",
                    conditions="", tranches=None, expected_version=application.version, by=decider, now=now)
    session.commit()

    grants = call("get", "/my/grants")["items"]
    assert len(grants) == 1 and grants[0]["application"]["reference"] == submitted["reference"]
    grant = call("get", f"/my/grants/{grants[0]['id']}")
    assert grant["amount"] == FULL_DRAFT["requested_amount"] and grant["tranches"]
    indicator = grant["plan"]["indicators"][0]
    deadlines = call("get", "/my/deadlines")["items"]
    first_due = deadlines[0]["milestone"]
    assert first_due["id"] == grant["plan"]["milestones"][0]["id"]

    report = call("post", f"/grants/{grant['id']}/milestones/{first_due['id']}/report", json={
        "activities": "Tolv samtalsträffar", "submit": True,
        "participants": {"women": {"0-17": 8}, "men": {"0-17": 9}},
        "indicators": [{"indicator_id": indicator["id"], "value": 17, "women": 8, "men": 9, "other": 0}],
        "spending": []})
    assert report["status"] == "submitted"
    assert call("get", "/my/deadlines")["items"][0]["report"]["status"] == "submitted"

    # Every write through the API is audited as the applicant, like the same action in a page.
    session.expire_all()
    mine = list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == applicant.id)
                                .order_by(AuditEvent.id)))
    for action in ("organisation.registered", "declaration.signed", "application.created",
                   "application.draft_saved", "application.submitted", "report.submitted"):
        assert action in mine, action
    assert mine.index("organisation.registered") < mine.index("application.submitted") < mine.index("report.submitted")
