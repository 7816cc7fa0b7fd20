"""Permission helpers shared by every package. Each answers for one user and one object;
pages and the API call the same helpers, so access cannot differ between them.

The rule for every package's `permissions.py`: one function per verb and object
(`can_screen_application(user, application)`), answering from the object's own committee
(`User.has_committee_role(role, committee_id)`, where no committee means nobody, never anyone).
Services call these functions rather than repeating role logic. `tests/portal/test_authorisation_matrix.py`
requests every route as every kind of user and holds the answers to its table."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.models import Role, User


def can_administer(user: User) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def is_committee_staff(user: User, committee_id: int) -> bool:
    """Officer or decision maker of this very committee (no committee: nobody)."""
    return bool(user and user.is_authenticated and (user.has_committee_role(Role.OFFICER, committee_id)
                                                    or user.has_committee_role(Role.DECISION_MAKER, committee_id)))


def staff_committee_ids(user: User) -> set[int]:
    return user.committee_ids(Role.OFFICER) | user.committee_ids(Role.DECISION_MAKER)


def role_required(*roles: Role):
    """Page guard for a whole area (a committee role held in any committee lets one in); what may be
    done with each object is still asked of its permission function, with its committee."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.holds_role_anywhere(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
