"""An applicant's applications through the API: start a draft, change it with optimistic locking,
submit it under the same rules as the page, read their own, withdraw."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eligibility.models import Screening
from grants.models import Application
from portal.models import Role
from tests.api.applicant_world import FULL_DRAFT, audit_actions, mails_to, me  # noqa: F401
from tests.api.conftest import bearer


def test_representative_starts_a_draft_for_an_open_programme(client, session, me):
    response = client.post("/api/v1/applications", headers=me.headers,
                           json={"programme_id": me.programme.id, "organisation_id": me.organisation.id})
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "draft" and body["version"] >= 1 and body["reference"] is None
    assert body["organisation"]["id"] == me.organisation.id and body["receipt"] is None
    assert "titel" in body["missing"]  # in the user's language, Swedish by default
    assert audit_actions(session, "application", body["id"]) == ["application.created"]


def test_a_draft_cannot_be_started_for_a_closed_programme(client, me):
    closed = me.grants.programme(me.committee, opens=-30, closes=-1)
    response = client.post("/api/v1/applications", headers=me.headers,
                           json={"programme_id": closed.id, "organisation_id": me.organisation.id})
    assert response.status_code == 422 and "inte öppen" in response.json["error"]["message"]


def test_a_draft_for_another_organisation_is_404_and_for_staff_403(client, world, me):
    _user, _headers, other_org = me.other_applicant()
    response = client.post("/api/v1/applications", headers=me.headers,
                           json={"programme_id": me.programme.id, "organisation_id": other_org.id})
    assert response.status_code == 404
    _officer, officer_token = world.user_with_token(Role.OFFICER, me.committee)
    response = client.post("/api/v1/applications", headers=bearer(officer_token),
                           json={"programme_id": me.programme.id, "organisation_id": me.organisation.id})
    assert response.status_code == 403
    response = client.post("/api/v1/applications", headers=me.headers,
                           json={"programme_id": 999_999, "organisation_id": me.organisation.id})
    assert response.status_code == 404


@pytest.mark.parametrize("payload", [{}, {"programme_id": "1", "organisation_id": 1},
                                     {"programme_id": 1, "organisation_id": 1, "title": "extra"}])
def test_a_malformed_new_application_is_a_400(client, me, payload):
    response = client.post("/api/v1/applications", headers=me.headers, json=payload)
    assert response.status_code == 400 and response.json["error"]["fields"]


def test_patch_fills_the_draft_step_by_step_with_the_pages_audit_events(client, session, me):
    draft = me.draft()
    response = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                            json={"version": draft.version, **FULL_DRAFT})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["title"] == "Samtalsgrupper för unga" and body["requested_amount"] == 40_000_00
    assert body["budget_lines"][0]["amount"] == 50_000_00 and body["totals"]["gap"] == 40_000_00
    assert body["expected_participants"]["women"]["0-17"] == 10 and body["missing"] == []
    assert body["version"] > draft.version
    assert audit_actions(session, "application", draft.id).count("application.draft_saved") == 5
    # Only the fields sent change.
    again = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                         json={"version": body["version"], "aims": "Nya mål"}).json
    assert again["aims"] == "Nya mål" and again["activities"] == "Samtal varje vecka"
    assert again["budget_lines"] == body["budget_lines"]


def test_a_change_from_a_stale_version_is_a_409_and_changes_nothing(client, session, me):
    draft = me.draft()
    first = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                         json={"version": draft.version, "title": "Först"})
    assert first.status_code == 200
    stale = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                         json={"version": draft.version, "title": "Sen"})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"
    assert "version" in stale.json["error"]["fields"] and "Hämta den igen" in stale.json["error"]["message"]
    session.expire_all()
    assert session.get(Application, draft.id).title == "Först"


@pytest.mark.parametrize("change, field", [
    ({"period_start": "2026-12-31", "period_end": "2026-01-01"}, "period_end"),
    ({"requested_amount": 60_000_00}, "requested_amount"),  # more than the programme's maximum
    ({"title": "   "}, "title"),
])
def test_a_change_that_breaks_a_rule_is_a_422_beside_the_field(client, me, change, field):
    application = me.filled()
    response = client.patch(f"/api/v1/applications/{application.id}", headers=me.headers,
                            json={"version": application.version, **change})
    assert response.status_code == 422 and field in response.json["error"]["fields"]


@pytest.mark.parametrize("payload", [{"title": "utan version"}, {"version": 1, "requested_amount": -1},
                                     {"version": 1, "period_start": "2026-02-30"}, {"version": 1, "colour": "blå"},
                                     {"version": 1, "budget_lines": [{"category": "", "amount": 1}]}])
def test_a_malformed_change_is_a_400(client, me, payload):
    draft = me.draft()
    response = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers, json=payload)
    assert response.status_code == 400 and response.json["error"]["fields"]


def test_another_organisations_application_is_404_and_committee_staff_get_403(client, world, me):
    other_user, other_headers, other_org = me.other_applicant()
    draft = me.draft()
    for method, path in (("patch", f"/api/v1/applications/{draft.id}"),
                         ("post", f"/api/v1/applications/{draft.id}/submit"),
                         ("get", f"/api/v1/my/applications/{draft.id}")):
        kwargs = {"json": {"version": draft.version, "title": "Kapad"}} if method == "patch" else {}
        assert getattr(client, method)(path, headers=other_headers, **kwargs).status_code == 404, path
    _officer, officer_token = world.user_with_token(Role.OFFICER, me.committee)
    response = client.patch(f"/api/v1/applications/{draft.id}", headers=bearer(officer_token),
                            json={"version": draft.version, "title": "Kapad"})
    assert response.status_code == 403
    _elsewhere, elsewhere_token = world.user_with_token(Role.OFFICER, world.factory.committee("Farsta snd"))
    response = client.patch(f"/api/v1/applications/{draft.id}", headers=bearer(elsewhere_token),
                            json={"version": draft.version, "title": "Kapad"})
    assert response.status_code == 404


def test_submitting_gives_a_receipt_screens_and_mails_as_the_page_does(client, session, me):
    application = me.filled()
    response = client.post(f"/api/v1/applications/{application.id}/submit", headers=me.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "submitted" and body["reference"] == f"2026-{application.id:06d}"
    assert body["receipt"] == {"reference": body["reference"], "submitted_at": "2026-03-02T10:00:00Z"}
    assert "application.submitted" in audit_actions(session, "application", application.id)
    assert session.scalar(select(Screening).where(Screening.application_id == application.id)) is not None
    assert any(body["reference"] in m.subject for m in mails_to(session, me.user.email))
    # Submitted: it can no longer be changed.
    locked = client.patch(f"/api/v1/applications/{application.id}", headers=me.headers,
                          json={"version": body["version"], "title": "Ändrad"})
    assert locked.status_code == 422


def test_submitting_to_a_closed_programme_is_refused_with_a_clear_message(app, client, session, me, now):
    application = me.filled()
    app.config["FIXED_NOW"] = now + timedelta(days=60)
    response = client.post(f"/api/v1/applications/{application.id}/submit", headers=me.headers)
    assert response.status_code == 422
    assert response.json["error"]["message"] == "Utlysningen är stängd, så ansökan kan inte lämnas in."
    session.expire_all()
    assert session.get(Application, application.id).status == "draft"


def test_submitting_without_a_valid_declaration_is_refused(client, session, me):
    unsigned = me.grants.organisation("Osignerad förening", representative=me.user, signed=False)
    expired = me.grants.organisation("Utgången förening", representative=me.user, expires_in_days=-1)
    for organisation, words in ((unsigned, "inte skrivit under"), (expired, "har gått ut")):
        application = me.filled(organisation=organisation)
        response = client.post(f"/api/v1/applications/{application.id}/submit", headers=me.headers)
        assert response.status_code == 422 and words in response.json["error"]["message"], response.json


def test_a_barred_organisation_cannot_submit(client, session, me):
    application = me.filled()
    me.organisation.status = "barred"
    session.commit()
    response = client.post(f"/api/v1/applications/{application.id}/submit", headers=me.headers)
    assert response.status_code == 422 and "spärrad" in response.json["error"]["message"]


def test_an_incomplete_draft_cannot_be_submitted(client, me):
    draft = me.draft()
    response = client.post(f"/api/v1/applications/{draft.id}/submit", headers=me.headers)
    assert response.status_code == 422 and "Saknas" in response.json["error"]["message"]


def test_applicant_lists_and_reads_only_their_own_applications(client, me):
    own = me.filled()
    client.post(f"/api/v1/applications/{own.id}/submit", headers=me.headers)
    draft = me.draft()
    other_user, other_headers, other_org = me.other_applicant()
    me.grants.filled_application(me.programme, other_org, other_user)
    listed = client.get("/api/v1/my/applications", headers=me.headers).json
    assert sorted(a["id"] for a in listed["items"]) == sorted([own.id, draft.id]) and listed["total"] == 2
    submitted = client.get("/api/v1/my/applications?status=submitted", headers=me.headers).json
    assert [a["id"] for a in submitted["items"]] == [own.id]
    one = client.get(f"/api/v1/my/applications/{own.id}", headers=me.headers).json
    assert one["receipt"]["reference"] == one["reference"] and one["missing"] == []
    assert client.get("/api/v1/my/applications", headers=other_headers).json["total"] == 1


def test_applicant_withdraws_their_application(client, session, me):
    application = me.filled()
    response = client.post(f"/api/v1/applications/{application.id}/withdraw", headers=me.headers)
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    assert "application.withdrawn" in audit_actions(session, "application", application.id)
    again = client.post(f"/api/v1/applications/{application.id}/withdraw", headers=me.headers)
    assert again.status_code == 422


def test_writes_need_a_token_not_a_page_session(client, login_as, me):
    draft = me.draft()
    assert client.post(f"/api/v1/applications/{draft.id}/submit").status_code == 401


def test_the_application_list_does_not_grow_in_queries_with_the_data(client, me, count_queries):
    me.draft()
    client.get("/api/v1/me", headers=me.headers)  # the token's first use writes last_used_at
    with count_queries() as few:
        client.get("/api/v1/my/applications", headers=me.headers)
    for _ in range(5):
        me.draft(programme=me.grants.programme(me.committee))
    with count_queries() as many:
        assert client.get("/api/v1/my/applications", headers=me.headers).json["total"] == 6
    assert many.count == few.count


def test_text_no_database_can_store_is_refused_and_whole_floats_count_as_integers(client, session, me):
    draft = me.draft()
    refused = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                           json={"version": draft.version, "title": "Nul\x00tecken"})
    assert refused.status_code == 422 and "title" in refused.json["error"]["fields"]
    accepted = client.patch(f"/api/v1/applications/{draft.id}", headers=me.headers,
                            json={"version": float(draft.version), "period_start": "2026-04-01",
                                  "period_end": "2026-12-31", "requested_amount": 1_000_00.0,
                                  "budget_lines": [{"category": "Lokal", "amount": 2_000_00.0}]})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["requested_amount"] == 1_000_00 and accepted.json["budget_lines"][0]["amount"] == 2_000_00
    assert isinstance(session.get(Application, draft.id).requested_amount, int)


def test_another_applicant_cannot_withdraw_our_application(client, session, me):
    application = me.filled()
    _other_user, other_headers, _org = me.other_applicant()
    response = client.post(f"/api/v1/applications/{application.id}/withdraw", headers=other_headers)
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Application, application.id).status == "draft"


def test_a_barred_organisation_cannot_start_a_draft(client, session, factory, me):
    factory.force_status(me.organisation, "barred")
    before = session.scalar(select(func.count()).select_from(Application))
    response = client.post("/api/v1/applications", headers=me.headers,
                           json={"programme_id": me.programme.id, "organisation_id": me.organisation.id})
    assert response.status_code == 422
    assert "Organisationen är spärrad från allt stöd och kan inte ansöka." in str(response.json["error"])
    assert session.scalar(select(func.count()).select_from(Application)) == before
