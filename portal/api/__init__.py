"""JSON API under /api/v1: tokens, conventions, endpoint registry, OpenAPI and the /api page.

Endpoints of a domain package live in `<package>/api.py` and are found here by name, as the
shell finds the packages themselves, so that portal never imports a higher package.
"""
from __future__ import annotations

import importlib
import importlib.util

from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    from portal.config import add_settings
    from portal.api import endpoints, models  # noqa: F401  (tables; the shell's own endpoints)
    from portal.api.cli import token_cli
    from portal.api.core import FixedWindowLimiter, bp
    from portal.api.views import pages
    from portal.cli import users_cli
    from portal.extensions import csrf

    add_settings(app, API_RATE_LIMIT_PER_TOKEN=300, API_RATE_LIMIT_PER_ADDRESS=600)
    app.extensions["api_limiter"] = FixedWindowLimiter()

    for name in app.config["DOMAIN_MODULES"]:
        if importlib.util.find_spec(f"{name}.api") is not None:
            importlib.import_module(f"{name}.api")

    csrf.exempt(bp)  # tokens, not cookies: writes refuse page sessions (portal.api.core.authorise)
    app.register_blueprint(bp)
    app.register_blueprint(pages)
    if "token" not in users_cli.commands:
        users_cli.add_command(token_cli)
    app.extensions.setdefault("public_links", []).append(("api_pages.docs", _l("API for integrations")))
