"""Mail subjects are one line (issue 14, point 6): outbox.queue, the one door of every e-mail,
folds line breaks and control characters, so a notice about an application titled
"Rubrik\\nBcc: x@y" is delivered and carries no header of the applicant's making."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from portal import outbox
from portal.models import OutboxMessage
from tests.factories import Factory

TITLE = "Rubrik\nBcc: x@y"


@pytest.fixture
def smtp(monkeypatch):
    """smtplib.SMTP answering like a server that accepts every message; keeps what was sent, as bytes."""
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, user, password):
            pass

        def send_message(self, mail):
            sent.append(message_from_bytes(mail.as_bytes(), policy=policy.SMTP))

    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    transport = outbox.transport_from_config({
        "MAIL_SERVER": "smtp.example", "MAIL_PORT": 587, "MAIL_USERNAME": "", "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False, "MAIL_FROM": "bidrag@stad.example"})
    return transport, sent


def test_a_report_on_an_application_titled_with_a_line_break_is_notified_in_one_line(session, factory, now, smtp):
    grant = factory.grant(title=TITLE)
    assert grant.application.title == TITLE  # the title itself is kept as written
    Factory(session, now, keep_mail=True).report(grant)  # submitting a report notifies the officer
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.subject.contains("Rubrik")))
    assert message.subject.endswith("Rubrik Bcc: x@y")
    transport, sent = smtp
    result = outbox.send_pending(session, transport, now)
    assert result["failed"] == 0 and result["sent"] >= 1
    delivered = [m for m in sent if "Rubrik" in m["Subject"]]
    assert [m["Subject"] for m in delivered] == [message.subject]
    assert all(m["Bcc"] is None for m in sent)


def test_every_control_character_folds_into_one_space_and_the_subject_fits_its_column(session, now, smtp):
    subject = "Beslut\r\n\tom\x00bidrag\u2028till\x85" + "å" * 400
    queued = outbox.queue(session, to="a@example.org", subject=subject, body="Text\nmed rader", now=now)
    session.commit()
    assert queued.subject == ("Beslut om bidrag till " + "å" * 400)[:outbox.SUBJECT_LENGTH]
    assert queued.body == "Text\nmed rader"  # the body keeps its lines
    transport, sent = smtp
    assert outbox.send_pending(session, transport, now) == {"sent": 1, "failed": 0}
    assert sent[0]["Subject"] == queued.subject
