"""Organisation registry tests: organisations from the one builder (tests/factories), and the
form data and uploads the page tests send."""
from __future__ import annotations

import io

import pytest

from organisations import services
from tests.factories import org_number as valid_org_number  # noqa: F401  (the one way to a valid number)
from tests.factories import small_pdf


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
def make_org(factory):
    """make_org(representative=None, name=..., districts=..., signatory=True) -> a registered
    organisation with no papers yet (no statutes, no signature). With signatory=False the chair
    may not sign for it; the other board member may."""

    def _make(representative=None, name="Föreningen Exempel", districts=("Rinkeby-Kista",), signatory=True):
        board = [services.BoardRow("Ada Ordförande", "Ordförande", signatory),
                 services.BoardRow("Bo", "Ledamot", not signatory)]
        return factory.organisation(name, representative=representative, districts=districts, board=board,
                                    signed=False, statutes=False)

    return _make


@pytest.fixture
def declaration_text(factory):
    return factory.declaration_text()


def pdf_upload(name="stadgar.pdf"):
    return (io.BytesIO(small_pdf("Stadgar")), name)
