"""Who may see and act for an organisation. Checked on the object, on the server."""
from __future__ import annotations

from sqlalchemy import exists, select

from organisations.models import Organisation, Representative
from portal.extensions import db
from portal.models import User


def is_representative(user: User, organisation_id: int) -> bool:
    if not user or not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(exists().where(
        Representative.organisation_id == organisation_id, Representative.user_id == user.id))))


def can_view_organisation(user: User, organisation: Organisation) -> bool:
    """Representatives see their own organisation; committee staff and coordinators see all."""
    return user.is_authenticated and (user.is_staff or is_representative(user, organisation.id))


def can_act_for_organisation(user: User, organisation: Organisation) -> bool:
    """Only the organisation's own representatives act for it (apply, report, reply)."""
    return is_representative(user, organisation.id)


def represented_organisation_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(Representative.organisation_id).where(Representative.user_id == user.id)))
