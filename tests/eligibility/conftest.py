"""Eligibility tests' names for the one builder (tests/factories). `build` keeps the calls the
tests were written with; the states the registry or the grants services refuse, which these tests
need to see every outcome of a rule, go through the factory's force_* methods."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from grants.models import Application, Grant, Milestone, Programme
from organisations.models import BoardMember, DeclarationSignature, Organisation
from tests.factories import org_number  # noqa: F401  (the tests' one way to a valid number)

# Tranche states a test asks for, reached through the payment services.
GRANT_PERIOD = (date(2025, 6, 1), date(2026, 12, 31))
TRANCHE_AMOUNT = 20_000_00


class Builder:
    def __init__(self, session, factory, now: datetime):
        self.session, self.factory, self.now = session, factory, now

    def organisation(self, *, papers: bool = True, number: str | None = None, status: str = "active",
                     email: str = "", representative=None) -> Organisation:
        """Registered with a board; with `papers` also statutes (30 days old) and a declaration signed
        by the chair ten days ago. Without papers: no board (factory.force_no_board), no statutes, no
        signature. A number the registry refuses is set by factory.force_org_number."""
        valid = number is None or _is_valid(number)
        org = self.factory.organisation(number=number if valid else None, email=email, signed=False,
                                        representative=representative,
                                        statutes=papers)
        if not valid:
            self.factory.force_org_number(org, number)
        if papers:
            self.factory.sign_declaration(org, at=self.now - timedelta(days=10))
        else:
            self.factory.force_no_board(org)
        if status != "active":
            self.factory.force_status(org, status)
        return org

    def board_member(self, org, authorised=False, name="Ordförande Ordsson") -> BoardMember:
        """Through the profile service when the board keeps a signatory, else by hand."""
        if authorised or any(b.authorised_signatory for b in org.board_members):
            return self.factory.board_member(org, name, "chair", authorised)
        return self.factory.force_board_member(org, name, "chair", authorised)

    def statutes(self, org, uploaded_at: datetime | None = None):
        return self.factory.statutes(org, at=uploaded_at or self.now - timedelta(days=30))

    def declaration_text(self):
        return self.factory.declaration_text()

    def declaration(self, org, member: BoardMember | None, *, signed_at=None, expires_at=None) -> DeclarationSignature:
        """Signed through the service by an authorised member of the organisation's own board; any
        other signer (none, not authorised, another board's) by factory.force_signature."""
        signed_at = signed_at or self.now - timedelta(days=10)
        if member is not None and member.organisation_id == org.id and member.authorised_signatory:
            return self.factory.sign_declaration(org, member=member, at=signed_at, expires_at=expires_at)
        return self.factory.force_signature(org, member, at=signed_at, expires_at=expires_at)

    def representative(self, org, **kwargs):
        return self.factory.representative(org, **kwargs)

    def programme(self, committee, max_per_grant=100_000_00) -> Programme:
        return self.factory.programme(committee, title="Demokrati i vardagen", area="general", budget=1_000_000_00,
                                      max_per_grant=max_per_grant, opens_on=date(2026, 1, 1),
                                      closes_on=date(2026, 12, 31))

    def application(self, org, programme, status="submitted", amount=50_000_00,
                    period=(date(2026, 4, 1), date(2027, 3, 31))) -> Application:
        """Filled in and moved to `status` through the services; an amount above the programme's
        maximum or a missing period (which the draft service refuses) by factory.force_application_terms,
        "closed_ineligible" by factory.force_application_status."""
        within = min(amount, programme.max_per_grant)
        application = self.factory.application(
            programme, org, title="Samtal om demokrati", requested=within,
            period=period if None not in period else (date(2026, 4, 1), date(2027, 3, 31)))
        if status == "closed_ineligible":
            self.factory.force_application_status(application, status)
        else:
            self.factory.set_application_status(application, status)
        if within != amount or None in period:
            self.factory.force_application_terms(application, requested=amount,
                                                 period=period if None in period else None)
        return application

    def grant(self, org, committee, *, status="active", tranches=(), programme=None,
              force_eligible: bool = False) -> Grant:
        """A grant of 20 000 kr per tranche (60 000 kr and one tranche when none are asked for),
        decided today through the services. tranches: (status, paid_at or None) pairs, each reached
        through the payment services; "completed" by factory.force_grant_status."""
        f = self.factory
        inputs = [f.tranche_input(date(2025, 7, 1) + timedelta(days=60 * i), TRANCHE_AMOUNT)
                  for i in range(len(tranches))] or None
        grant = f.grant(committee=committee, organisation=org, programme=programme, period=GRANT_PERIOD,
                        requested=TRANCHE_AMOUNT * len(tranches) if tranches else 60_000_00, tranches=inputs,
                        force_eligible=force_eligible)
        for tranche, (tranche_status, paid_at) in zip(sorted(grant.tranches, key=lambda t: t.due_on), tranches):
            if tranche_status == "paid":
                f.pay(tranche, at=paid_at)
            elif tranche_status == "released":
                f.release(tranche)
            elif tranche_status == "cancelled":
                f.cancel(tranche)
        if status == "withdrawn":
            f.withdraw_grant(grant)
        elif status != "active":
            f.force_grant_status(grant, status)
        return grant

    def milestone(self, grant, due_on: date, approved_at: datetime | None = None) -> Milestone:
        return self.factory.force_milestone(grant, due_on, approved_at=approved_at)


def _is_valid(number: str) -> bool:
    from stdnum.se import orgnr

    return orgnr.is_valid(number)


@pytest.fixture
def build(session, factory, now):
    return Builder(session, factory, now)


@pytest.fixture
def rule_set(factory):
    return factory.rule_set()
