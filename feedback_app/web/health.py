"""Probes for the process supervisor and the load balancer.

- `/healthz`: the process answers (no database): restart the app when this fails.
- `/readyz`: the database answers and its schema is at the migrations' head: send traffic only
  when this is 200. A deployment whose `db upgrade` has not run yet stays out of rotation
  instead of failing requests.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from feedback_app.extensions import db

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def script_heads(directory: str) -> tuple[str, ...]:
    """The head revision(s) of the migration scripts; they do not change while the app runs."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def migrations_directory(app: Flask) -> str:
    return app.extensions["migrate"].directory


def database_revisions() -> tuple[str, ...]:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        context = MigrationContext.configure(connection)
        return tuple(sorted(context.get_current_heads()))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return _no_store(jsonify({"status": "ok"})), 200


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    head = script_heads(migrations_directory(current_app))
    try:
        current = database_revisions()
    except Exception as error:  # any failure means "not ready"
        # The class only: a driver's message can hold host names and user names.
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        body: dict[str, object] = {
            "status": "unavailable",
            "database": "unreachable",
            "migrations": None,
        }
        return _no_store(jsonify(body)), 503
    at_head = current == head
    body = {
        "status": "ok" if at_head else "unavailable",
        "database": "ok",
        "migrations": {"current": list(current), "head": list(head), "at_head": at_head},
    }
    return _no_store(jsonify(body)), 200 if at_head else 503


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.register_blueprint(bp)
