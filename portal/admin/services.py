"""Managing users, their roles and the committees. Every change is audited."""
from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.services import check_new_password, find_user_by_email, normalise_email
from portal.errors import Conflict, DomainError, NotFound
from portal.models import COMMITTEE_ROLES, Committee, CommitteeKind, Role, RoleGrant, User
from portal.security import hash_password


def checked_email(email: str, field: str = "email") -> str:
    try:
        return validate_email(normalise_email(email), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_("Enter a valid e-mail address, like name@example.se."), field=field)


def create_user(
    session: Session, *, email: str, name: str, password: str, by: User | None, now: datetime,
    roles: list[tuple[Role, int | None]] = (), locale: str | None = None, confirmed: bool = True,
) -> User:
    email = checked_email(email)
    if not (name or "").strip():
        raise DomainError(_("Enter a name."), field="name")
    check_new_password(password, field="password")
    if find_user_by_email(session, email) is not None:
        raise Conflict(_("There is already an account with this e-mail address."), field="email")
    user = User(
        email=email, name=name.strip(), password_hash=hash_password(password), active=True,
        locale=locale, created_at=now, email_confirmed_at=now if confirmed else None, session_version=1,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=by, action="user.created", obj=user,
                 changes={"email": email, "name": user.name}, now=now)
    for role, committee_id in roles:
        grant_role(session, user, role, committee_id, by=by, now=now)
    return user


def grant_role(
    session: Session, user: User, role: Role, committee_id: int | None, *, by: User | None, now: datetime
) -> RoleGrant:
    role = Role(role)
    if role in COMMITTEE_ROLES and committee_id is None:
        raise DomainError(_("An officer or decision maker must belong to a committee."), field="committee_id")
    if role not in COMMITTEE_ROLES:
        committee_id = None  # global roles are never scoped
    if committee_id is not None and session.get(Committee, committee_id) is None:
        raise NotFound(_("No such committee."), field="committee_id")
    existing = next((g for g in user.role_grants if g.role == role.value and g.committee_id == committee_id), None)
    if existing is not None:
        return existing
    grant = RoleGrant(role=role.value, committee_id=committee_id)
    user.role_grants.append(grant)
    session.flush()
    audit.record(session, actor=by, action="user.role_granted", obj=user,
                 changes={"role": role.value, "committee_id": committee_id}, now=now)
    return grant


def revoke_role(session: Session, user: User, grant_id: int, *, by: User, now: datetime) -> None:
    grant = next((g for g in user.role_grants if g.id == grant_id), None)
    if grant is None:
        raise NotFound(_("No such role."))
    if grant.role == Role.ADMIN.value and user.id == by.id:
        raise DomainError(_("You cannot remove your own admin role."))
    user.role_grants.remove(grant)
    audit.record(session, actor=by, action="user.role_revoked", obj=user,
                 changes={"role": grant.role, "committee_id": grant.committee_id}, now=now)


def update_user(session: Session, user: User, *, name: str, active: bool, by: User, now: datetime) -> None:
    if not (name or "").strip():
        raise DomainError(_("Enter a name."), field="name")
    if not active and user.id == by.id:
        raise DomainError(_("You cannot deactivate your own account."), field="active")
    changes = audit.diff(user, {"name": name.strip(), "active": active})
    if not changes:
        return
    user.name = name.strip()
    if user.active and not active:
        user.session_version += 1  # a deactivated user is logged out everywhere
    user.active = active
    audit.record(session, actor=by, action="user.updated", obj=user, changes=changes, now=now)


def _check_committee(session: Session, name: str, kind: str, committee_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the committee's name."), field="name")
    if kind not in {k.value for k in CommitteeKind}:
        raise DomainError(_("Choose a kind of committee."), field="kind")
    same = session.scalar(select(Committee).where(Committee.name == name))
    if same is not None and same.id != committee_id:
        raise Conflict(_("A committee with this name already exists."), field="name")
    return name


def create_committee(session: Session, *, name: str, kind: str, by: User | None, now: datetime) -> Committee:
    name = _check_committee(session, name, kind, None)
    committee = Committee(name=name, kind=kind, active=True, created_at=now)
    session.add(committee)
    session.flush()
    audit.record(session, actor=by, action="committee.created", obj=committee,
                 changes={"name": name, "kind": kind}, now=now)
    return committee


def update_committee(
    session: Session, committee: Committee, *, name: str, kind: str, active: bool, by: User, now: datetime
) -> None:
    name = _check_committee(session, name, kind, committee.id)
    changes = audit.diff(committee, {"name": name, "kind": kind, "active": active})
    if not changes:
        return
    committee.name, committee.kind, committee.active = name, kind, active
    audit.record(session, actor=by, action="committee.updated", obj=committee, changes=changes, now=now)
