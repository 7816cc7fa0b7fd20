"""Settings from the environment, with safe development defaults."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"

# Domain packages loaded by the shell, lowest layer first. The shell imports them by name so
# that portal never imports a higher package directly (dependencies point one way).
DOMAIN_MODULES = ["organisations", "eligibility", "grants", "monitoring"]


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def add_settings(app, **defaults) -> None:
    """A package's own settings: each read from the environment variable of the same name, typed
    by its default (a whole number or text), kept if the app was created with it already (tests).
    The one reader of settings, so a bad value always names its variable (ConfigError)."""
    for name, default in defaults.items():
        if isinstance(default, bool):
            value = _bool(os.environ.get(name), default)
        elif isinstance(default, int):
            value = _int(name, default)
        else:
            value = os.environ.get(name, default)
        app.config.setdefault(name, value)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs (as Heroku-style URLs give them)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: str) -> dict:
    env = os.environ.get("APP_ENV", "development").strip().lower()
    default_db = "sqlite:///" + str(Path(instance_path) / "portal.db")
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Mail: with no MAIL_SERVER, messages stay in the outbox, readable by admins in the app.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "bidrag@stad.example"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "MAX_UPLOAD_MB": _int("MAX_UPLOAD_MB", 20),
        "SCHEDULER_ENABLED": _bool(os.environ.get("SCHEDULER_ENABLED"), False),
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "sv"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Stockholm"),
        "LANGUAGES": ["sv", "en"],
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LOGIN_THROTTLE_MINUTES": _int("LOGIN_THROTTLE_MINUTES", 15),
        "PASSWORD_RESET_HOURS": _int("PASSWORD_RESET_HOURS", 2),
        "PAGE_SIZE": _int("PAGE_SIZE", 25),
        # A login lasts at most this long, however active the session (ASVS 3.3.2); then log in again.
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        # Reverse proxies in front of the app that add X-Forwarded-For/-Proto/-Host (0: none, the
        # app faces the clients; the README's nginx setup: 1). Only that many hops are believed.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Redirect http:// to https:// and send HSTS; off in development so `make run` and the
        # tests work on http://127.0.0.1:5000.
        "FORCE_HTTPS": _bool(os.environ.get("FORCE_HTTPS"), env == "production"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "DOMAIN_MODULES": list(DOMAIN_MODULES),
    }


def check_production_safety(config: dict) -> None:
    """Refuse to run a production deployment on settings that are only fit for development."""
    if config.get("APP_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "Refusing to start in production: SECRET_KEY is the development default or shorter "
            "than 32 characters. Set SECRET_KEY to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
