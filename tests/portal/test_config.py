import sqlite3

import pytest

from portal import create_app
from portal.config import DEV_SECRET_KEY, ConfigError, normalise_database_url


def test_production_refuses_the_development_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_a_short_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="32 characters"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_with_a_real_key_starts_with_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_development_defaults(tmp_path, monkeypatch):
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "DEFAULT_LOCALE", "UPLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/portal.db"
    assert app.config["UPLOAD_DIR"] == f"{tmp_path}/uploads"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "sv"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example/grants")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example")
    monkeypatch.setenv("UPLOAD_DIR", "/srv/uploads")
    monkeypatch.setenv("SCHEDULER_ENABLED", "true")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/grants"
    assert app.config["MAIL_SERVER"] == "smtp.example"
    assert app.config["UPLOAD_DIR"] == "/srv/uploads"
    assert app.config["SCHEDULER_ENABLED"] is True
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"


def test_a_malformed_number_setting_is_refused_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_MB", "twenty")
    with pytest.raises(ConfigError, match="MAX_UPLOAD_MB"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    from portal.extensions import db

    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        db.engine.dispose()


@pytest.mark.parametrize("name", ["NOTICE_REPLY_DAYS", "REMINDER_DAYS_BEFORE", "DECLARATION_VALID_MONTHS",
                                  "FINAL_REPORT_MAX_DAYS_AFTER_END", "API_RATE_LIMIT_PER_TOKEN",
                                  "ANNUAL_REPORT_LESSONS"])
def test_each_packages_malformed_setting_is_refused_with_its_name(tmp_path, monkeypatch, name):
    monkeypatch.setenv(name, "fourteen")
    with pytest.raises(ConfigError, match=name):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_a_packages_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NOTICE_REPLY_DAYS", "21")
    monkeypatch.setenv("OPEN_DATA_PREFIX", "360G-test-")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["NOTICE_REPLY_DAYS"] == 21
    assert app.config["OPEN_DATA_PREFIX"] == "360G-test-"
