""""Who gets an organisation's mail" is one rule (organisations.mail.mail_recipients): every kind
of message the city sends an organisation, from every package and from the scheduler, goes to
its acting representatives and its own address, and never to a representative whose account is
closed."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from grants import payments
from grants import services as grants_services
from monitoring import reports, scheduler
from portal.admin.services import update_user
from portal.models import OutboxMessage


def _addresses_since(session, first_id: int, subject_part: str) -> set[str]:
    rows = session.execute(select(OutboxMessage.to_address, OutboxMessage.subject)
                           .where(OutboxMessage.id > first_id)).all()
    return {address for address, subject in rows if subject_part.lower() in subject.lower()}


def _last_id(session) -> int:
    return max(session.scalars(select(OutboxMessage.id)).all(), default=0)


@pytest.fixture
def organisation(factory, session, now):
    representative = factory.applicant()
    org = factory.organisation(representative=representative, email="kansli@forening.example")
    former = factory.representative(org)
    update_user(session, former, name=former.name, active=False, by=factory.coordinator(), now=now)
    session.commit()
    return org, {representative.email, "kansli@forening.example"}


def test_every_message_to_the_organisation_goes_to_the_same_recipients(session, factory, organisation, now):
    org, expected = organisation
    committee = factory.committee()
    officer = factory.officer(committee)
    programme = factory.programme(committee, opens_on=now.date() - timedelta(days=5),
                                  closes_on=now.date() + timedelta(days=20))
    application = factory.application(programme, org, org.representatives[0].user, submit=True)
    start = _last_id(session)
    grants_services.return_for_completion(session, application, message="Fyll i budgeten.", by=officer, now=now)
    session.commit()
    assert _addresses_since(session, start, application.reference) == expected

    grant = factory.grant(organisation=org, committee=committee, officer=officer)
    paid = grant.tranches[0]
    factory.pay(paid, by=officer)
    session.commit()
    start = _last_id(session)
    payments.raise_repayment_claim(session, grant, amount=1_000_00, reason="Ej använda medel.",
                                   due_on=now.date() + timedelta(days=30), by=officer, now=now)
    session.commit()
    assert _addresses_since(session, start, grant.application.reference) == expected

    milestone = sorted(grant.application.plan.milestones, key=lambda m: m.due_on)[0]
    report = factory.report(grant, milestone, submit=True)
    start = _last_id(session)
    reports.return_report(session, report, "Ange deltagarna.", by=officer, now=now)
    session.commit()
    assert _addresses_since(session, start, grant.application.title) == expected

    start = _last_id(session)
    due = milestone.due_on
    scheduler.run_job(session, "report_reminders", datetime(due.year, due.month, due.day, 6) + timedelta(days=1))
    session.commit()
    # The plan's responsible officer hears of an overdue report too: that is the committee's mail.
    assert _addresses_since(session, start, grant.application.title) - {officer.email} == expected


def test_the_declaration_reminder_goes_to_the_same_recipients(session, organisation, now):
    org, expected = organisation
    start = _last_id(session)
    scheduler.run_job(session, "declaration_reminders", now + timedelta(days=400))
    session.commit()
    assert _addresses_since(session, start, org.name) == expected
