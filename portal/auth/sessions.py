"""Server-side login sessions: the session cookie holds only a random token naming a row of
`user_session` (its hash), so a session can be ended on the server.

A session ends at logout (`end_session`), at a password change or reset (`end_all_sessions`, and
the user's session_version moves on), at deactivation (the version moves on) and
SESSION_MAX_HOURS after login. Replaying a cookie of an ended session is anonymous.

Sessions are timed by the wall clock (portal.clock.utcnow), not by the business date a demo or
a test may pin (FIXED_NOW): how long a login lasts is real time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.models import USER_BY_SESSION, User, UserSession
from portal.security import hash_token, new_token


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """A new session of `user`; returns its token, which only the cookie keeps. The user object
    answers get_id() with it, as Flask-Login's login_user needs."""
    token, token_hash = new_token()
    session.add(UserSession(user_id=user.id, token_hash=token_hash, session_version=user.session_version,
                            created_at=now))
    user.session_token = token
    return token


def user_of_session(session: Session, token: str, *, now: datetime, max_hours: int) -> User | None:
    """The user of a live session with their roles, in one query; None for an ended, expired or
    unknown one."""
    user = session.scalars(USER_BY_SESSION, {
        "token_hash": hash_token(token), "started_after": now - timedelta(hours=max_hours),
    }).unique().first()
    if user is not None:
        user.session_token = token
    return user


def end_session(session: Session, token: str, *, now: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token),
                                              UserSession.ended_at.is_(None)).values(ended_at=now))


def end_all_sessions(session: Session, user: User, *, now: datetime) -> None:
    """Every open session of the user, in every browser (the caller starts a new one if the
    person stays logged in here)."""
    session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.ended_at.is_(None)).values(ended_at=now))
