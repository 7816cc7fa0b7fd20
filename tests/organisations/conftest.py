"""Helpers for the organisation registry tests: organisations built through the services."""
from __future__ import annotations

import io
import itertools

import pytest
from stdnum import luhn

from organisations import services
from organisations.demo import DECLARATION_EN, DECLARATION_SV, small_pdf

_numbers = itertools.count(100)


def valid_org_number() -> str:
    base = f"802{next(_numbers):06d}"
    return base + luhn.calc_check_digit(base)


def profile_form_data(**overrides) -> dict:
    data = {
        "name": "Föreningen Testgården", "legal_form": "non_profit_association", "street_address": "Testvägen 1",
        "postal_code": "163 55", "city": "Stockholm", "districts": ["Rinkeby-Kista"], "contact_name": "Kim Kontakt",
        "email": "info@testgarden.example", "phone": "08-123 45", "website": "testgarden.example",
        "payment_account_type": "bankgiro", "payment_account": "5050-1055", "founding_year": "1999",
        "members_women": "10", "members_men": "8", "members_other": "1",
        "board-0-name": "Ada Ordförande", "board-0-role": "Ordförande", "board-0-authorised_signatory": "y",
        "board-1-name": "Bo Kassör", "board-1-role": "Kassör",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_org(session, now, factory):
    """make_org(representative=None, **profile) -> Organisation, registered through the service."""

    def _make(representative=None, name="Föreningen Exempel", districts=("Rinkeby-Kista",), signatory=True):
        from portal.models import Role

        representative = representative or factory.user(role=Role.APPLICANT)
        data = services.ProfileData(
            name=name, legal_form="non_profit_association", districts=list(districts),
            board=[services.BoardRow("Ada Ordförande", "Ordförande", signatory), services.BoardRow("Bo", "Ledamot")])
        if not signatory:
            data.board[1].authorised_signatory = True
            data.board[0].authorised_signatory = False
        result = services.register_organisation(session, user=representative, org_number=valid_org_number(),
                                                data=data, allowed_districts=list(districts), now=now,
                                                base_url="http://localhost")
        session.commit()
        return result.organisation

    return _make


@pytest.fixture
def declaration_text(session, now):
    text = services.publish_declaration_text(session, text_sv=DECLARATION_SV, text_en=DECLARATION_EN, user=None,
                                             now=now)
    session.commit()
    return text


def pdf_upload(name="stadgar.pdf"):
    return (io.BytesIO(small_pdf("Stadgar")), name)
