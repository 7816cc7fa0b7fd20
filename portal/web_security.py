"""What every answer carries and how the app reads the request's origin: security headers
(flask-talisman), the trusted reverse proxies (Werkzeug's ProxyFix) and the `Allow` header of a 405.

Headers on every answer, pages, API answers and error pages alike:
- Content-Security-Policy: scripts, styles, images, fonts and forms from this site only, no inline
  script or style (the templates have none: `style=` attributes are classes in app.css), no
  plugins, and `frame-ancestors 'none'` so that no other site can frame a page and trick a click
  on its buttons; X-Frame-Options: DENY says the same to older browsers.
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (a reset link's token never
  leaves the site in a Referer); Permissions-Policy as flask-talisman's default.
- With FORCE_HTTPS (on in production): http:// is redirected to https:// and HSTS is sent.
"""
from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def install(app: Flask) -> None:
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted > 0:
        # Believe exactly `trusted` hops of X-Forwarded-For/-Proto/-Host: the client's address is
        # the one the nearest trusted proxy saw, so the login throttle counts each client apart,
        # and a client cannot choose its address by sending the header itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)
    force_https = app.config["FORCE_HTTPS"]
    talisman.init_app(
        app,
        force_https=force_https,
        strict_transport_security=force_https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        x_xss_protection=False,  # the old XSS auditor is gone from browsers; OWASP: do not send it
    )


def allow_header(error) -> dict:
    """A 405 names the methods the URL does accept (RFC 9110); Werkzeug knows them."""
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(sorted(methods))} if methods else {}
