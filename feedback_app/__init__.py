"""Tournée: collect what tourism professionals say at each stop of the regional tour."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from feedback_app.config import CONFIGS, default_sqlite_uri, environment_overrides
from feedback_app.locales import use_packaged_tz_data

use_packaged_tz_data()  # before anything formats a time: one tz database on every host


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration classes, then instance/config.py, then environment.

    `config` is a configuration name ("development", "testing", "production") or a mapping of
    settings applied last, which is how the tests hand in their database.
    """
    # TOURNEE_INSTANCE_PATH: this host's own folder (two hosts can run from one checkout).
    instance_path = os.environ.get("TOURNEE_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
    )
    overrides = config if isinstance(config, dict) else {}
    name = config if isinstance(config, str) else overrides.get("ENV_NAME")
    name = name or os.environ.get("TOURNEE_ENV", "development")
    app.config.from_object(CONFIGS[name])
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_overrides())
    app.config.update(overrides)

    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = default_sqlite_uri(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set outside development (environment variable).")

    from feedback_app import wiring

    wiring.register_extensions(app)
    wiring.register_i18n(app)
    wiring.register_blueprints(app)
    wiring.register_http_layer(app)
    wiring.register_background_work(app)
    wiring.register_cli(app)
    return app
