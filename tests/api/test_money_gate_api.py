"""The finance system's door refuses a payment the money gate stops (eligibility.money_gate, issue 15
point 1), with the reason in plain words."""
from __future__ import annotations

from grants.models import Tranche
from tests.api.conftest import bearer


def test_the_finance_api_refuses_payment_with_the_reason_in_plain_words(client, staff, session, factory):
    grant = staff.grant()
    factory.new_declaration_version()  # nobody has signed the new text yet
    tranche = grant.tranches[0]
    response = client.post(f"/api/v1/tranches/{tranche.id}/paid", json={}, headers=bearer(staff.officer_token))
    assert response.status_code == 422
    assert "ingen giltig demokratiförklaring i dag" in response.json["error"]["message"]  # Swedish by default
    session.expire_all()
    assert session.get(Tranche, tranche.id).status == "released"
