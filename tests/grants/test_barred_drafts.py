"""A barred organisation starts no draft (issue 15, point 4): the service, the programme page's
"Apply" button and the API each refuse, say why, and write nothing. An organisation under notice
may still prepare one: the money gate stops its decision."""
from __future__ import annotations

from sqlalchemy import func, select

import pytest

from grants import services
from grants.models import Application
from portal.errors import DomainError
from tests.conftest import login

BARRED = "The organisation is barred from all support and cannot apply."


def _applications(session) -> int:
    return session.scalar(select(func.count()).select_from(Application))


def test_a_barred_organisation_cannot_start_a_draft(app, scenario, factory, session, now):
    from flask_babel import force_locale

    factory.force_status(scenario.organisation, "barred")
    before = _applications(session)
    with app.test_request_context("/"), force_locale("en"), pytest.raises(DomainError) as refused:
        services.start_application(session, programme=scenario.programme, organisation=scenario.organisation,
                                   by=scenario.applicant, now=now)
    assert (refused.value.message, refused.value.field) == (BARRED, "organisation_id")
    session.rollback()
    assert _applications(session) == before


def test_an_organisation_under_notice_may_still_prepare_a_draft(scenario, factory, session, now):
    factory.force_status(scenario.organisation, "under_notice")
    draft = services.start_application(session, programme=scenario.programme, organisation=scenario.organisation,
                                       by=scenario.applicant, now=now)
    assert draft.status == "draft"


def test_the_apply_button_of_a_barred_organisation_says_why_and_starts_nothing(client, scenario, factory, session):
    factory.force_status(scenario.organisation, "barred")
    before = _applications(session)
    login(client, scenario.applicant.email)
    response = client.post(f"/programmes/{scenario.programme.id}/apply",
                           data={"organisation_id": scenario.organisation.id}, follow_redirects=True)
    assert response.status_code == 200
    assert "Organisationen är spärrad från allt stöd och kan inte ansöka." in response.get_data(as_text=True)
    assert _applications(session) == before
