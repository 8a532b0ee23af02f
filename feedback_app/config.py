"""Configuration classes; `create_app` layers instance/config.py and the environment on top."""

from __future__ import annotations

import os
from pathlib import Path

from feedback_app.locales import DEFAULT_LANGUAGE, LANGUAGE_CODES, TIME_ZONE


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from instance_path when not configured
    # hide_parameters: a database error message never carries what a respondent typed into logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL: str | None = None
    # Background tasks (feedback_app/taskqueue.py): the broker is TASKS_BROKER_URL, else
    # REDIS_URL, else threads of the web process. A worker silent for TASKS_HEARTBEAT_TIMEOUT
    # seconds is taken for dead and its unfinished tasks go to another worker.
    TASKS_BROKER_URL: str | None = None
    TASKS_NAMESPACE = "tournee-tasks"
    TASKS_HEARTBEAT_TIMEOUT = 15
    TASKS_LOCAL_THREADS = 2
    # Exports: above this many items a workbook is built by a background job; each user may
    # have this many jobs queued or running; built workbooks are kept this many days.
    EXPORT_BACKGROUND_ABOVE = 5_000  # a direct build must end well within gunicorn's 30 s
    EXPORT_JOBS_PER_USER = 3
    EXPORT_KEEP_DAYS = 7
    # The review list's CSV streams five times faster than its .xlsx (measured 160,000 entries
    # in 12 s): it goes to a job only above this many entries (the .xlsx above the one above).
    EXPORT_LIST_CSV_BACKGROUND_ABOVE = 100_000

    # A form left open through a whole meeting must still post: the token lives as long as the
    # session, and an expired or missing token re-renders the form with the text kept.
    WTF_CSRF_TIME_LIMIT: int | None = None

    # The largest legitimate submission (40 items of 4,000 characters, all in 4-byte UTF-8)
    # stays well below this; anything bigger is refused with 413 before it is parsed.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = TIME_ZONE
    LANGUAGES = LANGUAGE_CODES

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True

    # Public base URL printed on posters and by `stops create`; falls back to the request host.
    PUBLIC_BASE_URL: str | None = None
    # Without PUBLIC_BASE_URL the poster is refused (True) or printed with a loud warning
    # (False, development and tests): a poster must not send phones to an internal address.
    REQUIRE_PUBLIC_BASE_URL = True

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
    # Sign-in attempts per 15 minutes (services/accounts/signin.py): per account and address,
    # per address.
    SIGN_IN_ACCOUNT_ATTEMPTS = 5
    SIGN_IN_ADDRESS_ATTEMPTS = 100
    SIGN_IN_WINDOW_SECONDS = 15 * 60
    # Where respondents exercise their rights (an e-mail or postal address), shown on the form.
    PRIVACY_CONTACT: str | None = None
    # Paper and spreadsheet intake (services/intake*.py): the largest file and the most rows
    # one upload may hold; the upload route alone accepts a request body this big.
    INTAKE_MAX_BYTES = 10 * 1024 * 1024
    INTAKE_MAX_ROWS = 5000

    # Outgoing mail (invitations, "forgotten password"). Without MAIL_SERVER nothing is sent
    # and HQ copies the one-time links by hand. MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD,
    # MAIL_USE_TLS / MAIL_USE_SSL are Flask-Mailman's settings.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER: str | None = None
    # A "forgotten password" answer never takes less than this, whether or not the account
    # exists, so that its timing does not tell.
    PASSWORD_RESET_MIN_SECONDS = 0.4
    # argon2 cost of new password hashes (time_cost, memory_cost in KiB, parallelism); None:
    # argon2-cffi's defaults (64 MiB, t=3, p=4). Only the test configuration lowers it.
    PASSWORD_HASH_PARAMETERS: dict[str, int] | None = None
    # Recurring ideas are regrouped this long after a change, and at most once per this many
    # seconds (tasks/grouping.py: one pending task covers every post and every page view that
    # finds them stale). None: only when an export needs them (the pages never regroup).
    REGROUP_DELAY_SECONDS: float | None = 30
    # Between two full regroupings (at most one per this many seconds; one takes about a minute
    # at 100,000 items), the background task only places new items in the existing groups
    # close to them. None: every run regroups in full.
    REGROUP_FULL_INTERVAL_SECONDS: float | None = 900


class DevelopmentConfig(Config):
    DEBUG = False
    REQUIRE_PUBLIC_BASE_URL = False
    SECRET_KEY = "dev-only-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    # Regrouping after posts would run beside every test; tests/test_idea_tasks.py turns it on.
    REGROUP_DELAY_SECONDS: float | None = None
    REGROUP_FULL_INTERVAL_SECONDS: float | None = None
    PASSWORD_RESET_MIN_SECONDS = 0.05
    # A sign-in at the real cost takes ~0.2 s of CPU, and the suite signs in hundreds of times
    # (tests/test_auth.py checks that every other configuration keeps the real cost).
    PASSWORD_HASH_PARAMETERS: dict[str, int] | None = {
        "time_cost": 1,
        "memory_cost": 8,
        "parallelism": 1,
    }
    REQUIRE_PUBLIC_BASE_URL = False
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


def environment_overrides() -> dict[str, object]:
    """Settings read from the process environment, which win over every file."""
    mapping = {
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "SECRET_KEY": "SECRET_KEY",
        "REDIS_URL": "REDIS_URL",
        "TASKS_BROKER_URL": "TASKS_BROKER_URL",
        "TASKS_NAMESPACE": "TASKS_NAMESPACE",
        "TASKS_HEARTBEAT_TIMEOUT": "TASKS_HEARTBEAT_TIMEOUT",
        "EXPORT_BACKGROUND_ABOVE": "EXPORT_BACKGROUND_ABOVE",
        "EXPORT_JOBS_PER_USER": "EXPORT_JOBS_PER_USER",
        "EXPORT_KEEP_DAYS": "EXPORT_KEEP_DAYS",
        "EXPORT_LIST_CSV_BACKGROUND_ABOVE": "EXPORT_LIST_CSV_BACKGROUND_ABOVE",
        "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
        "PROXY_FIX_X_FOR": "PROXY_FIX_X_FOR",
        "PROXY_FIX_X_PROTO": "PROXY_FIX_X_PROTO",
        "PROXY_FIX_X_HOST": "PROXY_FIX_X_HOST",
        "RATELIMIT_ENABLED": "RATELIMIT_ENABLED",
        "CONTACT_RETENTION_DAYS": "CONTACT_RETENTION_DAYS",
        "PRIVACY_CONTACT": "PRIVACY_CONTACT",
        **{name: name for name in _MAIL_SETTINGS},
        "STAFF_SESSION_IDLE_SECONDS": "STAFF_SESSION_IDLE_SECONDS",
        "STAFF_SESSION_LIFETIME_SECONDS": "STAFF_SESSION_LIFETIME_SECONDS",
        "SIGN_IN_ACCOUNT_ATTEMPTS": "SIGN_IN_ACCOUNT_ATTEMPTS",
        "SIGN_IN_ADDRESS_ATTEMPTS": "SIGN_IN_ADDRESS_ATTEMPTS",
        "SIGN_IN_WINDOW_SECONDS": "SIGN_IN_WINDOW_SECONDS",
    }
    values: dict[str, object] = {
        key: os.environ[env] for env, key in mapping.items() if os.environ.get(env)
    }
    for name in ("MAIL_PORT",):
        if name in values:
            values[name] = int(str(values[name]))
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if name in values:
            values[name] = str(values[name]).strip().lower() in ("1", "true", "yes", "on")
    return values


_MAIL_SETTINGS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_DEFAULT_SENDER",
)
