"""The declaration rule has two forms (organisations.declarations): `status_of` on loaded rows and
`valid_declaration_clause` in SQL, which the money gate asks. They agree in every state."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from organisations.declarations import declaration_status, valid_declaration_clause
from organisations.models import Organisation

STATES = {
    "valid": lambda f, org, now: f.sign_declaration(org, expires_at=now + timedelta(days=1)),
    "expired": lambda f, org, now: f.sign_declaration(org, expires_at=now - timedelta(days=1)),
    "expires this moment": lambda f, org, now: f.sign_declaration(org, expires_at=now),
    "missing": lambda f, org, now: None,
    "old_version": lambda f, org, now: (f.sign_declaration(org), f.new_declaration_version()),
    "renewed after a new version": lambda f, org, now: (f.new_declaration_version(), f.sign_declaration(org)),
}


@pytest.mark.parametrize("state", STATES)
def test_the_sql_clause_agrees_with_status_of(state, factory, session, now):
    organisation = factory.organisation(signed=False)
    factory.declaration_text()
    STATES[state](factory, organisation, now)
    session.commit()
    in_sql = session.scalar(select(valid_declaration_clause(Organisation.id, now))
                            .where(Organisation.id == organisation.id))
    assert bool(in_sql) == declaration_status(session, organisation.id, now).valid
    assert bool(in_sql) == (state in ("valid", "renewed after a new version"))
