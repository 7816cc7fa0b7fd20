"""Creating, revoking and checking personal API tokens (plain functions: session and `now` in)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from portal import audit
from portal.api.models import ApiToken
from portal.errors import DomainError, NotFound
from portal.models import User

TOKEN_PREFIX = "bp_"  # recognisable in logs and by secret scanners
MAX_DAYS = 3650
# Writing last_used_at on every request would make every read a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, *, name: str, days: int | None, by: User | None,
                 now: datetime) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the row and the token itself, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError(str(_l("Give the token a name.")), field="name")
    if len(name) > 100:
        raise DomainError(str(_l("The name can be at most 100 characters.")), field="name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise DomainError(str(_l("Choose between 1 and %(max)s days.", max=MAX_DAYS)), field="days")
    if not user.active:
        raise DomainError(str(_l("A deactivated account cannot have API tokens.")))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:7], created_at=now,
                     expires_at=now + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    audit.record(session, actor=by, action="api_token.created", obj=token,
                 changes={"user_id": user.id, "name": name,
                          "expires_at": token.expires_at.isoformat() if token.expires_at else None}, now=now)
    return token, raw


def revoke_token(session: Session, token: ApiToken, *, by: User | None, now: datetime) -> ApiToken:
    if token.revoked_at is not None:
        raise DomainError(str(_l("The token is already revoked.")))
    token.revoked_at = now
    audit.record(session, actor=by, action="api_token.revoked", obj=token,
                 changes={"user_id": token.user_id, "name": token.name}, now=now)
    return token


def own_token(session: Session, user: User, token_id: int) -> ApiToken:
    """A token of this user; someone else's token is as unknown as a missing one."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(str(_l("No such token.")))
    return token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


# The token, its user and the user's roles in one query (every endpoint checks the roles); built
# once, as every API request runs it.
_TOKEN_WITH_USER = (select(ApiToken).where(ApiToken.token_hash == bindparam("hash"))
                    .options(joinedload(ApiToken.user).joinedload(User.role_grants)))


def authenticate(session: Session, raw: str, now: datetime) -> ApiToken | None:
    """The usable token for this secret (not revoked, not expired, active user), or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(_TOKEN_WITH_USER, {"hash": hash_token(raw)}).unique().first()
    if token is None or not token.is_usable(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token
