"""Permission helpers shared by every package. Each answers for one user and one object;
pages and the API call the same helpers, so access cannot differ between them."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.models import Role, User


def can_administer(user: User) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def is_committee_staff(user: User, committee_id: int) -> bool:
    """Officer or decision maker of this very committee."""
    return user.has_role(Role.OFFICER, committee_id) or user.has_role(Role.DECISION_MAKER, committee_id)


def staff_committee_ids(user: User) -> set[int]:
    return user.committee_ids(Role.OFFICER) | user.committee_ids(Role.DECISION_MAKER)


def role_required(*roles: Role):
    """Page guard for a whole area; object-level checks still happen in each view."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
