"""The finance system's side of the API: released tranches awaiting payment, and marking them paid
through grants.payments.mark_tranche_paid (the grant page's "mark paid")."""
from __future__ import annotations

from sqlalchemy import select

from grants.models import Tranche
from portal.models import AuditEvent, Role
from tests.api.conftest import bearer

AWAITING = "/api/v1/tranches/awaiting-payment"


def test_finance_integration_fetches_released_tranches_marks_one_paid_and_it_leaves_the_list(client, staff, session):
    grant = staff.grant()
    staff.grant(released=False)  # scheduled, not yet released: not for payment
    token = bearer(staff.officer_token)

    listed = client.get(AWAITING, headers=token).json
    assert listed["total"] == 1
    tranche = listed["items"][0]
    assert tranche["grant_id"] == grant.id and tranche["status"] == "released" and tranche["amount"] == 40_000_00
    assert tranche["organisation"]["id"] == grant.organisation_id
    assert {"payment_account", "payment_account_type"} <= set(tranche)

    response = client.post(f"/api/v1/tranches/{tranche['id']}/paid", json={}, headers=token)
    assert response.status_code == 200 and response.json["status"] == "paid"

    session.expire_all()
    paid = session.get(Tranche, tranche["id"])
    assert paid.status == "paid" and paid.paid_by_id == staff.officer.id and paid.paid_at == staff.now
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "tranche.paid",
                                                    AuditEvent.object_id == str(paid.id)))
    assert event is not None and event.actor_id == staff.officer.id
    assert client.get(AWAITING, headers=token).json["total"] == 0
    assert client.get(f"/api/v1/staff/grants/{grant.id}", headers=token).json["paid"] == 40_000_00


def test_marking_a_tranche_paid_twice_is_a_409_and_audited_once(client, staff, session):
    tranche = staff.grant().tranches[0]
    url = f"/api/v1/tranches/{tranche.id}/paid"
    assert client.post(url, json={}, headers=bearer(staff.officer_token)).status_code == 200
    again = client.post(url, json={}, headers=bearer(staff.officer_token))
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "tranche.paid")).all()
    assert len(events) == 1


def test_a_barred_organisations_tranche_is_refused_with_422(client, staff, session):
    grant = staff.grant()
    grant.organisation.status = "barred"
    session.commit()
    tranche = grant.tranches[0]
    listed = client.get(AWAITING, headers=bearer(staff.officer_token)).json["items"]
    assert listed[0]["organisation"]["status"] == "barred"
    response = client.post(f"/api/v1/tranches/{tranche.id}/paid", json={}, headers=bearer(staff.officer_token))
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Tranche, tranche.id).status == "released"


def test_a_tranche_that_is_not_released_is_refused_with_422(client, staff):
    tranche = staff.grant(released=False).tranches[0]
    response = client.post(f"/api/v1/tranches/{tranche.id}/paid", json={}, headers=bearer(staff.officer_token))
    assert response.status_code == 422


def test_another_committees_officer_neither_sees_nor_pays_the_tranche(client, staff):
    tranche = staff.grant().tranches[0]
    assert client.get(AWAITING, headers=bearer(staff.other_officer_token)).json["total"] == 0
    response = client.post(f"/api/v1/tranches/{tranche.id}/paid", json={}, headers=bearer(staff.other_officer_token))
    assert response.status_code == 404


def test_only_officers_handle_payments(client, staff, world):
    tranche = staff.grant().tranches[0]
    url = f"/api/v1/tranches/{tranche.id}/paid"
    for token in (staff.decider_token, staff.coordinator_token, staff.applicant_token):
        assert client.get(AWAITING, headers=bearer(token)).status_code == 403
        assert client.post(url, json={}, headers=bearer(token)).status_code == 403
    # a decision maker of the committee who is also an officer elsewhere is still not the committee's officer
    both = staff.factory.user(role=Role.DECISION_MAKER, committee=staff.committee)
    from portal.models import RoleGrant

    staff.session.add(RoleGrant(user_id=both.id, role=Role.OFFICER.value, committee_id=staff.other_committee.id))
    staff.session.commit()
    assert client.post(url, json={}, headers=bearer(world.token_for(both))).status_code == 403


def test_awaiting_payment_filters_by_committee_and_its_queries_do_not_grow(client, staff, session, count_queries):
    staff.grant(requested=10_000_00)
    token = bearer(staff.officer_token)
    assert client.get(f"{AWAITING}?committee={staff.other_committee.id}", headers=token).json["total"] == 0
    with count_queries() as few:
        client.get(AWAITING, headers=token)
    for _ in range(3):
        staff.grant(requested=10_000_00)
    with count_queries() as many:
        assert client.get(AWAITING, headers=token).json["total"] == 4
    assert many.count == few.count
