"""Accounts, roles, committees, the audit log and the outbox."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, bindparam,
                        select)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from portal.extensions import db


class Role(str, enum.Enum):
    APPLICANT = "applicant"
    OFFICER = "officer"
    DECISION_MAKER = "decision_maker"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# Roles that only make sense within one committee (DESIGN.md, "Who uses it").
COMMITTEE_ROLES = frozenset({Role.OFFICER, Role.DECISION_MAKER})


class CommitteeKind(str, enum.Enum):
    DISTRICT = "district"
    SPECIALIST = "specialist"
    HOUSING_COMPANY = "housing_company"
    EXECUTIVE_BOARD = "executive_board"


class Committee(db.Model):
    """Nämnd. Data, not code: committees merge and change names (Älvsjö + Hägersten-Liljeholmen)."""

    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"<Committee {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Bumped on a password change or reset and on deactivation: every session started under an
    # older version is over (UserSession.session_version, checked in USER_BY_SESSION).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The token of the browser session this user object was loaded for (portal.auth.sessions);
    # not a column. Flask-Login keeps get_id() in the session cookie.
    session_token = None

    # Loaded with the user behind the session (portal.load_session_user) and where a page lists
    # users with their roles; other users' roles are rarely needed, so not loaded with them.
    role_grants: Mapped[list[RoleGrant]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    def get_id(self) -> str:
        """What the session cookie holds: the random token of a server-side session, not the user's
        id, so that ending the session (logout, password change) ends the cookie too."""
        if self.session_token is None:
            raise RuntimeError("start a session (portal.auth.sessions.start_session) before login_user")
        return self.session_token

    # The same account, whichever session it was loaded for (UserMixin compares get_id()).
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def has_role(self, role: Role) -> bool:
        """A role that belongs to no committee (applicant, coordinator, admin). A committee role is
        always asked about with its committee (`has_committee_role`), or, for a page or API area
        that any committee's staff may enter, with `holds_role_anywhere`; never here, so that a
        forgotten committee cannot turn into "any committee"."""
        if role in COMMITTEE_ROLES:
            raise ValueError(f"{role.value} is a committee role: ask has_committee_role(role, committee_id)")
        return self.holds_role_anywhere(role)

    def has_committee_role(self, role: Role, committee_id: int | None) -> bool:
        """This committee role in this very committee. No committee (None) is never any committee:
        the answer is then no."""
        if role not in COMMITTEE_ROLES:
            raise ValueError(f"{role.value} is not a committee role: ask has_role(role)")
        if committee_id is None:
            return False
        return any(g.role == role.value and g.committee_id == committee_id for g in self.role_grants)

    def holds_role_anywhere(self, role: Role) -> bool:
        """The role in at least one committee (or a committee-less role). Only for entering an area
        (a menu, the API's role gate); what may be done with an object is asked with its committee."""
        return any(g.role == role.value for g in self.role_grants)

    def committee_ids(self, role: Role) -> set[int]:
        return {g.committee_id for g in self.role_grants if g.role == role.value and g.committee_id}

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def is_staff(self) -> bool:
        """Committee staff or coordinator: may see the register and committee work."""
        return any(self.holds_role_anywhere(r) for r in (Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR))

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleGrant(db.Model):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "committee_id", name="uq_role_grant_user_role_committee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)

    user: Mapped[User] = relationship(back_populates="role_grants")
    committee: Mapped[Committee | None] = relationship(lazy="joined")


class UserSession(db.Model):
    """A logged-in browser session, kept on the server. The cookie holds a random token; only its
    hash is stored. Over at logout (ended_at), when the user's session_version moves on (password
    change or reset, deactivation) or SESSION_MAX_HOURS after login."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


# The user of a live session, by the hash of its token (bound as "token_hash") and the earliest
# start still valid ("started_after"), with their roles: run on every request, in ONE query.
USER_BY_SESSION = (
    select(User).join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None),
           UserSession.session_version == User.session_version,
           UserSession.created_at > bindparam("started_after"))
    .options(joinedload(User.role_grants))
)


class LoginAttempt(db.Model):
    """Every login attempt, kept to throttle guessing per account and per address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class PasswordResetToken(db.Model):
    """Only the token's hash is stored; the token itself exists only in the e-mail."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default="reset")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """Append-only record of who changed what, when and why. Never updated or deleted:
    the ORM refuses it (portal.audit) and database triggers refuse it (first migration)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(60))
    changes: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as its cause, sent later by the sender."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A key that makes queueing idempotent (e.g. "reminder:report:17:due"): queued once only.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
