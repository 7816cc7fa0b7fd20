"""Navigation that shows only what the user's roles allow. Packages register their own
entries in their init_app(), so the shell never needs to know about them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string, translated when shown
    visible: Callable[[object], bool]
    order: int = 50


def register_nav(app: Flask, item: NavItem) -> None:
    app.extensions.setdefault("portal_nav", []).append(item)


def visible_nav(app: Flask, user) -> list[NavItem]:
    # Outside a request (CLI, scheduler rendering a PDF) there is no user: no navigation.
    if not user or not user.is_authenticated:
        return []
    items = [i for i in app.extensions.get("portal_nav", []) if i.visible(user)]
    return sorted(items, key=lambda i: i.order)
