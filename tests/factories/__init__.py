"""The one test data builder. Every package's tests build their data here, through the same
service functions the application uses, so test data obeys the rules the application enforces.

Rows are written by hand only in two cases, each in a method whose name says so:
- no service makes the row or sets the value yet (`set_consent`, `force_experience`);
- a test deliberately needs a state the services refuse (every `force_*` method), for example an
  organisation barred without a case, or a board without an authorised signatory.

History is built at the moment it happened: `at=` moves the clock a service is given, so a
declaration signed a year ago or a grant decided in 2025 goes through the same checks as one made
today. Mail queued while building is dropped (see `builder`): it belongs to the history a test
starts from, and tests watch the outbox for what their own steps send.

Parts: base.py (organisation numbers, people, committees, the `builder` wrapper),
organisations.py (organisations, papers, representatives, rule sets, findings), grants.py
(programmes to grants, tranches, reports), forced.py (every force_* state).
"""
from __future__ import annotations

from tests.factories.base import DEFAULT_PASSWORD, FactoryBase, org_number, small_pdf
from tests.factories.forced import ForcedStates
from tests.factories.grants import GrantBuilders
from tests.factories.organisations import OrganisationBuilders


class Factory(OrganisationBuilders, GrantBuilders, ForcedStates, FactoryBase):
    """Factory(session, now): every builder; see the module docstring and each part's."""


__all__ = ["DEFAULT_PASSWORD", "Factory", "org_number", "small_pdf"]
