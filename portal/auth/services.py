"""Logging in, passwords and password reset.

Rules: login is throttled per account and per address; no answer reveals whether an e-mail
is registered; reset tokens are random, stored hashed, expire, and work once. A new password
(changed or reset) ends every session of the user (portal.auth.sessions) and every reset link
still open, so a link mailed earlier cannot undo it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal import audit, outbox
from portal.auth.sessions import end_all_sessions
from portal.errors import DomainError
from portal.models import LoginAttempt, PasswordResetToken, User
from portal.security import MIN_PASSWORD_LENGTH, hash_password, hash_token, new_token, verify_password


class InvalidCredentials(DomainError):
    pass


class LoginThrottled(DomainError):
    pass


class TokenInvalid(DomainError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def _recent_failures(session: Session, column, value: str, since: datetime) -> int:
    return session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    ) or 0


def authenticate(
    session: Session, *, email: str, password: str, ip: str, now: datetime, limits: dict
) -> User:
    """Return the user for valid credentials, or raise. Every attempt is recorded; too many
    failures for one account, or from one address, refuse further attempts for a while."""
    email = normalise_email(email)
    since = now - timedelta(minutes=limits["LOGIN_THROTTLE_MINUTES"])
    if (
        _recent_failures(session, LoginAttempt.email, email, since) >= limits["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(session, LoginAttempt.ip, ip, since) >= limits["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        session.add(LoginAttempt(at=now, email=email, ip=ip, succeeded=False))
        raise LoginThrottled(
            _("Too many failed attempts. Wait %(minutes)s minutes and try again, or reset your password.",
              minutes=limits["LOGIN_THROTTLE_MINUTES"])
        )
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    session.add(LoginAttempt(at=now, email=email, ip=ip, succeeded=ok))
    if not ok:
        # One message whether the account exists, the password is wrong or the account is off.
        raise InvalidCredentials(_("The e-mail address or password is wrong."))
    return user


def check_new_password(password: str, field: str = "new_password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH), field=field
        )


def change_password(session: Session, user: User, *, current: str, new: str, now: datetime) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError(_("The current password is wrong."), field="current_password")
    check_new_password(new)
    _set_new_password(session, user, new, now)
    audit.record(session, actor=user, action="user.password_changed", obj=user, now=now)


def _set_new_password(session: Session, user: User, password: str, now: datetime) -> None:
    """The new password, and the end of everything the old one opened: every session (the
    session_version moves on, for any request already past its check too) and every reset link."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    end_all_sessions(session, user, now=now)
    session.execute(update(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == "reset",
        PasswordResetToken.used_at.is_(None)).values(used_at=now))


def request_password_reset(
    session: Session, *, email: str, now: datetime, base_url: str, valid_hours: int
) -> None:
    """Queue a reset e-mail if the account exists. The caller shows the same message either
    way. At most three requests an hour per account, so the form cannot flood a mailbox."""
    user = find_user_by_email(session, email)
    if user is None or not user.active:
        return
    recent = session.scalar(
        select(func.count(PasswordResetToken.id)).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.created_at >= now - timedelta(hours=1)
        )
    )
    if recent >= 3:
        return
    token, token_hash = new_token()
    session.add(PasswordResetToken(
        user_id=user.id, token_hash=token_hash, purpose="reset", created_at=now,
        expires_at=now + timedelta(hours=valid_hours),
    ))
    with force_locale(user.locale or "sv"):
        outbox.queue(
            session, to=user.email, now=now,
            subject=_("Reset your password"),
            body=_(
                "Hello %(name)s,\n\nSomeone asked to reset the password of your account. If it was you, "
                "open this link within %(hours)s hours:\n\n%(url)s\n\nIf it was not you, ignore this message; "
                "your password stays as it is.",
                name=user.name, hours=valid_hours, url=f"{base_url}/reset/{token}",
            ),
        )
    audit.record(session, actor=None, action="user.password_reset_requested", obj=user, now=now)


def _usable_token(session: Session, token: str, purpose: str, now: datetime) -> PasswordResetToken:
    row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token)))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at < now:
        raise TokenInvalid(_("This link is no longer valid. Ask for a new one."))
    return row


def check_reset_token(session: Session, token: str, now: datetime) -> None:
    _usable_token(session, token, "reset", now)


def reset_password(session: Session, *, token: str, new_password: str, now: datetime) -> User:
    row = _usable_token(session, token, "reset", now)
    check_new_password(new_password, field="password")
    user = row.user
    row.used_at = now
    _set_new_password(session, user, new_password, now)
    audit.record(session, actor=user, action="user.password_reset", obj=user, now=now)
    return user


def issue_token(session: Session, user: User, *, purpose: str, now: datetime, valid_hours: int) -> str:
    """A single-use token for a link in an e-mail (e.g. e-mail confirmation)."""
    token, token_hash = new_token()
    session.add(PasswordResetToken(
        user_id=user.id, token_hash=token_hash, purpose=purpose, created_at=now,
        expires_at=now + timedelta(hours=valid_hours),
    ))
    return token


def consume_token(session: Session, token: str, *, purpose: str, now: datetime) -> User:
    row = _usable_token(session, token, purpose, now)
    row.used_at = now
    return row.user
