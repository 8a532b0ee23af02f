"""Structured logs: one JSON line per request on stderr, and every app log line as JSON too.

What a request line holds is an allow-list: method, path without its query string, endpoint,
status, duration and a request id. Never form data, JSON bodies, query strings, cookies,
headers or client addresses: respondents' contact details, staff passwords and session tokens
must not end up in log files (law 09-08). Exceptions are logged by type and stack frames only,
without their message, which can quote user input.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, g, request
from flask.logging import default_handler

LOGGER_NAME = "feedback_app"
REQUEST_LOGGER = "feedback_app.requests"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# URL parts that are credentials (the set-password link): logged as their name only.
_SECRET_VIEW_ARGS = ("token",)

log = logging.getLogger(REQUEST_LOGGER)


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...fields}`; fields come from `extra={"fields":…}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False, default=str)


def _install_handler() -> None:
    """Once per process: JSON lines on stderr for the whole `feedback_app` logger tree."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.removeHandler(default_handler)  # Flask's plain-text handler would double each line
    if not any(getattr(h, "_tournee_json", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._tournee_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    # Flask-Limiter logs each breach with its key, which is the client's address.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def register(app: Flask) -> None:
    _install_handler()
    # First of all before_request hooks, so that a request refused early (CSRF, rate limit)
    # still gets its id and duration.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def request_id() -> str:
    return g.get("request_id", "-")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    # A proxy's id is kept so lines can be matched across hops; anything odd is replaced.
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def loggable_path() -> str:
    path = request.path
    for name in _SECRET_VIEW_ARGS:
        value = (request.view_args or {}).get(name)
        if value:
            path = path.replace(str(value), f"<{name}>")
    return path


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    response.headers.setdefault("X-Request-ID", request_id())
    log.info(
        "request",
        extra={
            "fields": {
                "method": request.method,
                "path": loggable_path(),
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "request_id": request_id(),
            }
        },
    )
    return response
