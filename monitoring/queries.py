"""Small shared look-ups: which plan a grant has, the portal's address for links in mail."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants.models import FollowUpPlan, Grant


def plan_for_grant(session: Session, grant: Grant) -> FollowUpPlan | None:
    return session.scalar(select(FollowUpPlan).where(FollowUpPlan.application_id == grant.application_id))


def base_url() -> str:
    from flask import current_app

    return current_app.config.get("BASE_URL", "")
