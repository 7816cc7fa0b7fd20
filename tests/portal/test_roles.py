"""A committee role is only ever asked about with its committee: no committee is nobody, never
"any committee" (issue 14, point 2)."""
import pytest

from portal.models import Role


def test_no_committee_is_never_any_committee(factory):
    committee = factory.committee()
    officer, decider = factory.officer(committee), factory.decision_maker(committee)
    assert officer.has_committee_role(Role.OFFICER, committee.id)
    assert not officer.has_committee_role(Role.OFFICER, None)
    assert not decider.has_committee_role(Role.DECISION_MAKER, None)
    assert not officer.has_committee_role(Role.OFFICER, factory.committee().id)


def test_a_committee_role_cannot_be_asked_without_saying_where(factory):
    officer = factory.officer(factory.committee())
    with pytest.raises(ValueError):
        officer.has_role(Role.OFFICER)
    with pytest.raises(ValueError):
        officer.has_committee_role(Role.COORDINATOR, None)
    assert officer.holds_role_anywhere(Role.OFFICER) and not officer.holds_role_anywhere(Role.DECISION_MAKER)
