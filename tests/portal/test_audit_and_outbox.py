import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal import audit, outbox
from portal.admin.services import create_committee
from portal.audit import AuditLogIsAppendOnly
from portal.models import AuditEvent, Committee, OutboxMessage


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_change_and_its_audit_event_are_committed_together(session, now):
    create_committee(session, name="Farsta stadsdelsnämnd", kind="district", by=None, now=now)
    session.commit()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "committee.created"))
    assert event.changes == {"name": "Farsta stadsdelsnämnd", "kind": "district"}


def test_a_rolled_back_change_leaves_no_audit_event(session, now):
    create_committee(session, name="Skarpnäck stadsdelsnämnd", kind="district", by=None, now=now)
    session.rollback()
    assert _count(session, Committee) == 0
    assert _count(session, AuditEvent) == 0


def test_the_orm_refuses_to_update_or_delete_audit_events(session, now):
    event = audit.record(session, actor=None, action="test.event", object_type="thing", object_id=1, now=now)
    session.commit()
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_the_database_refuses_to_update_or_delete_audit_events(session, now):
    audit.record(session, actor=None, action="test.event", object_type="thing", object_id=1, now=now)
    session.commit()
    with pytest.raises(DatabaseError):
        session.execute(text("UPDATE audit_event SET action = 'tampered'"))
    session.rollback()
    with pytest.raises(DatabaseError):
        session.execute(text("DELETE FROM audit_event"))
    session.rollback()
    assert session.scalar(select(AuditEvent.action)) == "test.event"


def test_outbox_message_is_rolled_back_with_its_cause(session, now):
    create_committee(session, name="Norrmalm stadsdelsnämnd", kind="district", by=None, now=now)
    outbox.queue(session, to="a@example.org", subject="Hej", body="Text", now=now)
    session.rollback()
    assert _count(session, OutboxMessage) == 0


def test_queueing_with_the_same_key_twice_queues_once(session, now):
    outbox.queue(session, to="a@example.org", subject="Påminnelse", body="x", now=now, dedup_key="reminder:1")
    session.commit()
    assert outbox.queue(session, to="a@example.org", subject="Påminnelse", body="x", now=now,
                        dedup_key="reminder:1") is None
    session.commit()
    assert _count(session, OutboxMessage) == 1


class FlakyTransport:
    def __init__(self, fail: bool):
        self.fail = fail
        self.sent = []

    def send(self, message):
        if self.fail:
            raise ConnectionRefusedError("mail server down")
        self.sent.append(message.subject)


def test_a_message_survives_a_mail_server_outage_and_is_sent_later(session, now):
    from datetime import timedelta

    outbox.queue(session, to="a@example.org", subject="Beslut", body="x", now=now)
    session.commit()
    down = FlakyTransport(fail=True)
    assert outbox.send_pending(session, down, now) == {"sent": 0, "failed": 1}
    message = session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "mail server down" in message.last_error
    up = FlakyTransport(fail=False)
    # Not retried before its back-off time ...
    assert outbox.send_pending(session, up, now + timedelta(minutes=1)) == {"sent": 0, "failed": 0}
    # ... and delivered once after it.
    assert outbox.send_pending(session, up, now + timedelta(hours=1)) == {"sent": 1, "failed": 0}
    assert outbox.send_pending(session, up, now + timedelta(hours=2)) == {"sent": 0, "failed": 0}
    assert up.sent == ["Beslut"]


def test_without_a_mail_server_messages_stay_in_the_outbox(session, now, runner):
    outbox.queue(session, to="a@example.org", subject="Beslut", body="x", now=now)
    session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert "MAIL_SERVER is not set" in result.output
    assert session.scalar(select(OutboxMessage.sent_at)) is None


def test_smtp_transport_sends_through_a_real_smtp_conversation(session, now, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            self.host, self.port = host, port

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append("starttls")

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, mail):
            sent.append((mail["To"], mail["Subject"], mail.get_content().strip()))

    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    transport = outbox.transport_from_config({
        "MAIL_SERVER": "smtp.example", "MAIL_PORT": 587, "MAIL_USERNAME": "u", "MAIL_PASSWORD": "p",
        "MAIL_USE_TLS": True, "MAIL_FROM": "bidrag@stad.example"})
    outbox.queue(session, to="a@example.org", subject="Beslut om bidrag", body="Åäö text", now=now)
    session.commit()
    assert outbox.send_pending(session, transport, now)["sent"] == 1
    assert sent == ["starttls", ("login", "u"), ("a@example.org", "Beslut om bidrag", "Åäö text")]
