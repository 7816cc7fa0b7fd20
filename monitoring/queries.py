"""Small shared look-ups: who represents an organisation, which grant a plan belongs to."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants.models import FollowUpPlan, Grant
from organisations.models import Representative
from portal.models import User


def representative_users(session: Session, organisation_id: int) -> list[User]:
    return list(session.scalars(
        select(User).join(Representative, Representative.user_id == User.id)
        .where(Representative.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.id)))


def plan_for_grant(session: Session, grant: Grant) -> FollowUpPlan | None:
    return session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))


def base_url() -> str:
    from flask import current_app

    return current_app.config.get("BASE_URL", "")
