"""The `register_*` steps of the application factory."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, request
from flask_babel import format_number
from flask_babel import refresh as flask_babel_refresh
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session

import feedback_app.tasks  # noqa: F401  (declares every background task before init_app)
from feedback_app.database import SQLITE_BUSY_TIMEOUT_MS, configure_engine
from feedback_app.extensions import babel, csrf, db, login_manager, migrate, taskqueue
from feedback_app.i18n import (
    bdi,
    current_language,
    format_date,
    format_datetime,
    listed,
    select_locale,
    select_timezone,
    text_direction,
)
from feedback_app.locales import LANGUAGES
from feedback_app.models import User
from feedback_app.services.accounts import passwords


def _end_task_session() -> None:
    cast("scoped_session[Session]", db.session).remove()


def register_extensions(app: Flask) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        # No pre-ping: a local file cannot drop the connection, and the ping is a statement
        # more each time a request takes a connection from the pool (twice per submission).
        options = {
            **options,
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            "pool_pre_ping": False,
        }
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR", _migrations_dir(app)))
    csrf.init_app(app)
    login_manager.init_app(app)
    taskqueue.init_app(app, after_task=_end_task_session)
    passwords.configure(app.config.get("PASSWORD_HASH_PARAMETERS"))
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def _load_user(session_id: str) -> User | None:
        from feedback_app.services.accounts.sessions import load_session_user

        return load_session_user(db.session, session_id)

    with app.app_context():
        configure_engine(db.engine)


def _migrations_dir(app: Flask) -> str:
    from pathlib import Path

    return str(Path(app.root_path).parent / "migrations")


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    # Flask-Babel caches the locale in `g`, and Flask reuses an app context that is already
    # pushed (the tests hold one): choose the language again from each request.
    app.before_request(flask_babel_refresh)

    @app.context_processor
    def _i18n_context() -> dict:
        return {
            "text_direction": text_direction,
            "languages": LANGUAGES.values(),
            "current_language": current_language,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_number": format_number,
        }

    app.add_template_filter(bdi)
    app.add_template_filter(listed)

    @app.after_request
    def _remember_language(response: Response) -> Response:
        if request.endpoint != "static":
            # Pages and API answers are in the reader's language: caches must not mix them.
            response.vary.update(("Accept-Language", "Cookie"))
        lang = request.args.get("lang")
        if lang and lang in app.config["LANGUAGES"] and request.cookies.get("lang") != lang:
            response.set_cookie(
                "lang",
                lang,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response


def register_blueprints(app: Flask) -> None:
    from feedback_app.api import bp as api_bp
    from feedback_app.auth import bp as auth_bp
    from feedback_app.auth.guards import can
    from feedback_app.followup import bp as followup_bp
    from feedback_app.hq import bp as hq_bp
    from feedback_app.public import bp as public_bp
    from feedback_app.review import bp as review_bp
    from feedback_app.web import converters

    converters.register(app)  # before any rule: rules build their converters when added
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(hq_bp, url_prefix="/hq")
    app.register_blueprint(followup_bp)  # /suivi/... (public) and /hq/commitments... (staff)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    # Pages show a control only to whom may use it: {% if can("review:write") %}.
    app.add_template_global(can)


def register_http_layer(app: Flask) -> None:
    """Security headers, request logs, rate limits (they wrap the views, so blueprints come
    first), health probes, versioned and compressed static assets, and error pages."""
    from feedback_app.web import (
        assets,
        errors,
        health,
        inputs,
        mail,
        ratelimits,
        requestlog,
        security,
        staff_sessions,
    )

    mail.register(app)
    security.register(app)
    inputs.register(app)
    staff_sessions.register(app)
    requestlog.register(app)
    ratelimits.register(app)
    health.register(app)
    assets.register(app)
    errors.register(app)


def register_background_work(app: Flask) -> None:
    """Regroup the recurring ideas on the task queue after the requests that change items."""
    from feedback_app.tasks import grouping

    grouping.register(app)


def register_cli(app: Flask) -> None:
    from feedback_app.cli import register

    register(app)
