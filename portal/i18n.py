"""Translation lookups cheap enough for long pages.

Flask-Babel finds the request's catalogue anew on every gettext call (three context lookups
and the locale's name: about 20 µs), and a list page translates hundreds of labels. Here the
catalogue is kept on Flask-Babel's own per-request namespace, next to the locale it belongs to,
so each later call is a dictionary lookup. force_locale (e-mails, letters in the recipient's
language) puts another locale object there, which misses this cache and gets its own catalogue.
"""
from __future__ import annotations

from flask import Flask
from flask.globals import _cv_app
from flask_babel import Domain


def current_translations():
    """The catalogue flask_babel.get_translations() gives for this request and locale."""
    app_context = _cv_app.get(None)  # flask.g without the proxy: this runs hundreds of times a page
    namespace = getattr(app_context.g, "_flask_babel", None) if app_context is not None else None
    cached = getattr(namespace, "portal_translations", None)
    if cached is not None and cached[0] is getattr(namespace, "babel_locale", None):
        return cached[1]
    translations = Domain.get_translations(_domain)  # chooses the locale on the first call
    namespace = getattr(app_context.g, "_flask_babel", None) if app_context is not None else None
    locale = getattr(namespace, "babel_locale", None)
    if locale is not None:
        namespace.portal_translations = (locale, translations)
    return translations


class CachedDomain(Domain):
    """The application's message domain, answering from the per-request cache above (used by
    gettext and lazy_gettext in Python code)."""

    def get_translations(self):
        return current_translations()


_domain: CachedDomain


def install(app: Flask, babel) -> None:
    """After babel.init_app: make Python and template translations use the cache."""
    global _domain
    _domain = CachedDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    babel.domain_instance = _domain  # overrides Flask-Babel's cached_property for this app
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
