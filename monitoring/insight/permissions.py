"""Who may see the cross-committee figures: the central coordinators (samordnare) only."""
from __future__ import annotations

from portal.models import Role, User


def can_view_dashboard(user: User) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.COORDINATOR))


def can_generate_annual_report(user: User) -> bool:
    return can_view_dashboard(user)


def can_download_annual_report(user: User) -> bool:
    return can_view_dashboard(user)
