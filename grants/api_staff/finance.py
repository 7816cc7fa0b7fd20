"""The finance system's door in the JSON API: the released tranches awaiting payment, and marking one paid."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants import payments, permissions
from grants.api_staff.common import EMPTY_BODY, ORGANISATION_REF, forbid, organisation_ref
from grants.api_staff.grants import TRANCHE, tranche_json
from grants.models import Grant, Tranche, TrancheStatus
from portal import clock
from portal.api.core import ID, Param, api_user, endpoint, not_found, page_of, paginated
from portal.api.endpoints import COMMITTEE_REF, committee_ref
from portal.extensions import db
from portal.models import Role

PAYABLE_TRANCHE = {
    **TRANCHE,
    "required": TRANCHE["required"] + ["organisation", "committee", "payment_account_type", "payment_account",
                                       "grant_reference"],
    "properties": {**TRANCHE["properties"], "organisation": ORGANISATION_REF, "committee": COMMITTEE_REF,
                   "grant_reference": {"type": ["string", "null"]},
                   "payment_account_type": {"type": ["string", "null"], "description": "bankgiro or plusgiro."},
                   "payment_account": {"type": ["string", "null"]}},
}


def payable_tranche_json(t: Tranche) -> dict:
    grant = t.grant
    return {**tranche_json(t), "organisation": organisation_ref(grant.organisation),
            "committee": committee_ref(grant.committee), "grant_reference": grant.application.reference,
            "payment_account_type": grant.organisation.payment_account_type,
            "payment_account": grant.organisation.payment_account}


FINANCE_TAGS = ["finance"]


@endpoint("GET", "/tranches/awaiting-payment", summary="Released tranches awaiting payment", tags=FINANCE_TAGS,
          auth=(Role.OFFICER,), response=page_of(PAYABLE_TRANCHE), paginated=True,
          description="For the finance system: the released, unpaid tranches of the committees where the token's "
                      "user is an officer (the role that handles a committee's payments), oldest due first, with "
                      "the organisation's payment account. A tranche of a barred organisation is listed with its "
                      "organisation's status, and marking it paid is refused.",
          params=[Param("committee", ID, "Committee id.")], example="?per_page=100")
def tranches_awaiting_payment(query):
    ids = api_user().committee_ids(Role.OFFICER)
    stmt = (select(Tranche).join(Grant, Tranche.grant_id == Grant.id)
            .where(Tranche.status == TrancheStatus.RELEASED.value, Grant.committee_id.in_(ids or {-1}))
            .options(selectinload(Tranche.grant))
            .order_by(Tranche.due_on, Tranche.id))
    if query["committee"]:
        stmt = stmt.where(Grant.committee_id == query["committee"])
    return paginated(stmt, query, payable_tranche_json)


@endpoint("POST", "/tranches/{tranche_id}/paid", summary="Mark a released tranche paid", tags=FINANCE_TAGS,
          auth=(Role.OFFICER,), response=PAYABLE_TRANCHE, body=EMPTY_BODY, example="{}",
          description="As the grant page's \"mark paid\", audited as tranche.paid. Officers of the granting "
                      "committee only (404 for another committee's tranche). Marking a tranche that is already "
                      "paid is a 409 (nothing changes); a tranche that is not released, or whose organisation "
                      "is barred, is refused with 422.")
def tranche_paid(tranche_id: int, body):
    # No lock here: mark_tranche_paid's conditional update decides which of two calls at once pays it.
    tranche = db.session.get(Tranche, tranche_id)
    user = api_user()
    if tranche is None or not permissions.is_staff_of(user, tranche.grant.committee_id):
        raise not_found("No such tranche")
    forbid(permissions.can_manage_grant(user, tranche.grant),
           "Only officers of the granting committee may handle its payments")
    payments.mark_tranche_paid(db.session, tranche, by=user, now=clock.now())
    return payable_tranche_json(tranche)
