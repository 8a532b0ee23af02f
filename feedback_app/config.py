"""Configuration classes; `create_app` layers instance/config.py and the environment on top."""

from __future__ import annotations

import os
from pathlib import Path


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from instance_path when not configured
    # hide_parameters: a database error message never carries what a respondent typed into logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL: str | None = None

    # A form left open through a whole meeting must still post: the token lives as long as the
    # session, and an expired or missing token re-renders the form with the text kept.
    WTF_CSRF_TIME_LIMIT: int | None = None

    # The largest legitimate submission (40 items of 4,000 characters, all in 4-byte UTF-8)
    # stays well below this; anything bigger is refused with 413 before it is parsed.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
    LANGUAGES = ("fr", "ar", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True

    # Public base URL printed on posters and by `stops create`; falls back to the request host.
    PUBLIC_BASE_URL: str | None = None

    # Hardening (feedback_app/web/security.py, web/ratelimits.py). Behind a reverse proxy set
    # PROXY_FIX_X_FOR=1 (and PROXY_FIX_X_PROTO=1) to the number of proxies in front of the app.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    RATELIMIT_ENABLED = True
    # Contact details (name, e-mail, phone, consent) older than this are erased by
    # `flask --app feedback_app privacy purge` (law 09-08: kept no longer than needed).
    CONTACT_RETENTION_DAYS = 365
    # Staff sessions end after this much idle time, and this long after sign-in at the latest.
    STAFF_SESSION_IDLE_SECONDS = 8 * 3600
    STAFF_SESSION_LIFETIME_SECONDS = 7 * 24 * 3600
    # Sign-in attempts per 15 minutes (services/signin.py): per account and address, per address.
    SIGN_IN_ACCOUNT_ATTEMPTS = 5
    SIGN_IN_ADDRESS_ATTEMPTS = 100
    SIGN_IN_WINDOW_SECONDS = 15 * 60
    # Where respondents exercise their rights (an e-mail or postal address), shown on the form.
    PRIVACY_CONTACT: str | None = None


class DevelopmentConfig(Config):
    DEBUG = False
    SECRET_KEY = "dev-only-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    # Suites post hundreds of submissions from one address; test_rate_limits.py turns it on.
    RATELIMIT_ENABLED = False
    SECRET_KEY = "test-only-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class ProductionConfig(Config):
    pass


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def default_sqlite_uri(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tournee.sqlite")


def environment_overrides() -> dict[str, str]:
    """Settings read from the process environment, which win over every file."""
    mapping = {
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "SECRET_KEY": "SECRET_KEY",
        "REDIS_URL": "REDIS_URL",
        "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
        "PROXY_FIX_X_FOR": "PROXY_FIX_X_FOR",
        "PROXY_FIX_X_PROTO": "PROXY_FIX_X_PROTO",
        "PROXY_FIX_X_HOST": "PROXY_FIX_X_HOST",
        "RATELIMIT_ENABLED": "RATELIMIT_ENABLED",
        "CONTACT_RETENTION_DAYS": "CONTACT_RETENTION_DAYS",
        "PRIVACY_CONTACT": "PRIVACY_CONTACT",
        "STAFF_SESSION_IDLE_SECONDS": "STAFF_SESSION_IDLE_SECONDS",
        "STAFF_SESSION_LIFETIME_SECONDS": "STAFF_SESSION_LIFETIME_SECONDS",
        "SIGN_IN_ACCOUNT_ATTEMPTS": "SIGN_IN_ACCOUNT_ATTEMPTS",
        "SIGN_IN_ADDRESS_ATTEMPTS": "SIGN_IN_ADDRESS_ATTEMPTS",
        "SIGN_IN_WINDOW_SECONDS": "SIGN_IN_WINDOW_SECONDS",
    }
    return {key: os.environ[env] for env, key in mapping.items() if os.environ.get(env)}
