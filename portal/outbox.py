"""The outbox: e-mail is written in the same transaction as its cause, then delivered.

If the mail server is down, the message stays queued and is retried with back-off;
nothing is lost. With no MAIL_SERVER configured, messages stay readable by admins.
"""
from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Callable, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage

MAX_ATTEMPTS = 10


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


@dataclass
class SmtpTransport:
    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    sender: str

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to_address
        mail["Subject"] = message.subject
        mail["Message-ID"] = f"<outbox-{message.id}@{self.sender.split('@')[-1]}>"
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)


def transport_from_config(config: dict) -> Transport | None:
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpTransport(
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        sender=config["MAIL_FROM"],
    )


# Line breaks and every other control character (C0, DEL, C1, the Unicode line and paragraph
# separators): none may stand in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SUBJECT_LENGTH = OutboxMessage.__table__.c.subject.type.length


def one_line(text: str, length: int = SUBJECT_LENGTH) -> str:
    """The text as one header line: control characters and runs of white space folded into one
    space, cut to `length`. A subject built from user text (an application title "Rubrik\nBcc: x")
    is then delivered as it reads, and cannot add a header."""
    return " ".join(_CONTROL.sub(" ", text).split())[:length]


def queue(
    session: Session, *, to: str, subject: str, body: str, now: datetime, dedup_key: str | None = None
) -> OutboxMessage | None:
    """Queue one e-mail in the caller's transaction. With a dedup_key, a message already queued
    under that key is not queued again (so scheduled jobs can run twice safely). The subject is
    made one line here, the one door every e-mail passes (email.message refuses a header with a
    line break, so such a message would fail at every attempt and never be delivered)."""
    subject = one_line(subject)
    if dedup_key is not None:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is not None:
            return None
    message = OutboxMessage(
        created_at=now, to_address=to, subject=subject, body=body, dedup_key=dedup_key,
        attempts=0, next_attempt_at=now,
    )
    session.add(message)
    return message


def send_pending(
    session: Session, transport: Transport | None, now: datetime, limit: int = 100,
    commit: Callable[[], None] | None = None,
) -> dict:
    """Deliver due messages. Each message is committed on its own so one failure does not
    resend the others. Returns counts of sent and failed messages."""
    result = {"sent": 0, "failed": 0}
    if transport is None:
        return result
    commit = commit or session.commit
    due = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    for message in due:
        try:
            transport.send(message)
        except Exception as exc:  # any transport failure: keep the message, retry later
            message.attempts += 1
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
            message.next_attempt_at = now + timedelta(minutes=5 * 2 ** min(message.attempts, 6))
            result["failed"] += 1
        else:
            message.attempts += 1
            message.sent_at = now
            message.last_error = None
            result["sent"] += 1
        commit()
    return result
