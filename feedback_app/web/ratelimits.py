"""Abuse control with Flask-Limiter: submissions, sign-in and receipt look-ups, per address.

Sizing for a venue, where everyone shares the Wi-Fi's one public address:
- Submissions (the form and the API together, one shared bucket per address):
  "600 per 10 minutes" lets 200 people each post up to three times in ten minutes (the post
  that stores, plus a correction after a validation error or an "add another" round trip on a
  phone without JavaScript); "150 per minute" lets most of a room send at the same moment when
  the speaker asks for it, while a script hammering from one address is held to 2.5 posts/s.
  Replays of a client_id that is already stored are exempt: a phone retrying after a lost
  answer gets its receipt and costs nobody anything.
- Sign-in: "100 per 15 minutes" failed attempts per address, across every worker. Successful
  sign-ins do not count. The per-account slow-down lives in services/accounts/signin.py; this is the
  backstop that holds across gunicorn workers and hosts.

The counters live in Redis when REDIS_URL is set, so the limits hold across workers and hosts;
otherwise in memory, per process (with 4 workers an address really gets up to 4x). If Redis
goes away the limiter falls back to memory instead of failing submissions: each process then
counts alone (the same 4x) until Redis answers again, and says so once in the log when it
falls back and once when it recovers. The throttles that protect accounts do not depend on
this: sign-in attempts and the "forgotten password" cooldown per account are counted in the
database (services/accounts/), which every worker shares.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask.typing import RouteCallable
from flask_babel import gettext as _
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from feedback_app.extensions import db
from feedback_app.services.capture.replays import is_stored_client_id

SUBMISSION_LIMITS = "150 per minute;600 per 10 minutes"
SIGN_IN_LIMITS = "100 per 15 minutes"
# "Forgotten password" posts per address, counted whatever the answer: staff are few, and each
# post may send a mail. The per-account cooldown lives in services/accounts/password_reset.py.
PASSWORD_RESET_LIMITS = "10 per hour"
# Receipt references typed or followed from a mail: a person opens theirs a few times; a
# script guessing references is held to 30 a minute and 300 a day per address (a hit takes
# millions of guesses even for the old 8-character references, services/codes.py).
FOLLOWUP_REFERENCE_LIMITS = "30 per minute;300 per day"
# Share links (a brief for someone without an account): one budget for the page and its PDF,
# per address; the token has 256 bits, so the limit is about printing cost more than guessing.
SHARE_LINK_LIMITS = "30 per minute;300 per day"
# The BI feed, per token: a Power BI refresh reads a few pages a second at most; 120 a minute
# is 60,000 rows a minute at the largest page. Per address besides, whatever the token, so that
# a script trying tokens (hopeless anyway: 256 random bits) is held too.
FEED_TOKEN_LIMITS = "120 per minute"
FEED_ADDRESS_LIMITS = "300 per minute"
EXTENSION_KEY = "tournee_limiter"
LIMITER_LOGGER = "flask-limiter"

log = logging.getLogger(__name__)

# Endpoints limited. A renamed submission endpoint must be renamed here: `register` fails
# loudly rather than leave the route unprotected.
SUBMISSION_ENDPOINTS = ("public.stop_form", "api.create_submission")
SIGN_IN_ENDPOINT = "auth.login"
PASSWORD_RESET_ENDPOINT = "auth.forgot_password"
FOLLOWUP_REFERENCE_ENDPOINT = "followup.by_reference"
SHARE_LINK_ENDPOINTS = ("followup.shared_brief", "followup.shared_brief_pdf")
FEED_ENDPOINTS = ("api.feed", "api.feed_csv")


def client_address() -> str:
    """The rate-limit key: the client's address (ProxyFix makes it the real one behind a proxy)."""
    return request.remote_addr or "unknown"


def token_key() -> str:
    """The feed's per-token key: a digest of the bearer token (never the token itself, which
    would sit in Redis), or the address when there is none."""
    header = request.headers.get("Authorization", "")
    if not header:
        return "address:" + client_address()
    return "token:" + hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _feed_message() -> str:
    return _("Trop de requêtes pour ce jeton. Patientez une minute puis réessayez.")


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def _is_replay() -> bool:
    """The post carries a client_id already stored: answer it, whatever the counters say."""
    try:
        if request.is_json:
            body = request.get_json(silent=True)
            value = body.get("client_id") if isinstance(body, dict) else None
        else:
            value = request.form.get("client_id")
    except HTTPException:
        return False  # e.g. a body over MAX_CONTENT_LENGTH: the view answers 413 itself
    return bool(value) and is_stored_client_id(db.session, value)


def _failed_sign_in(response: Response) -> bool:
    return response.status_code not in (301, 302, 303)


def _submission_message() -> str:
    return _(
        "Trop de contributions envoyées depuis ce réseau en peu de temps. "
        "Patientez une minute puis renvoyez : votre saisie n'est pas perdue."
    )


def _sign_in_message() -> str:
    return _("Trop de tentatives de connexion depuis ce réseau. Réessayez dans quelques minutes.")


def _reference_message() -> str:
    return _("Trop de références consultées depuis ce réseau. Réessayez plus tard.")


def _share_message() -> str:
    return _("Trop de bilans partagés ouverts depuis ce réseau. Réessayez plus tard.")


def _reset_message() -> str:
    return _("Trop de demandes de lien depuis ce réseau. Réessayez dans une heure.")


def _configure(app: Flask) -> None:
    config = app.config
    config["RATELIMIT_ENABLED"] = _flag(config.get("RATELIMIT_ENABLED", True))
    redis_url = config.get("REDIS_URL")
    config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    if config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # An unreachable Redis must cost a second, not a hung worker.
        config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    config.setdefault("RATELIMIT_KEY_PREFIX", "tournee")
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)  # Retry-After for the offline queue
    # A broken counter store must never turn a submission into a 500.
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SUBMISSIONS", SUBMISSION_LIMITS)
    config.setdefault("RATELIMIT_SIGN_IN", SIGN_IN_LIMITS)
    config.setdefault("RATELIMIT_PASSWORD_RESET", PASSWORD_RESET_LIMITS)
    config.setdefault("RATELIMIT_FOLLOWUP_REFERENCE", FOLLOWUP_REFERENCE_LIMITS)
    config.setdefault("RATELIMIT_SHARE_LINKS", SHARE_LINK_LIMITS)
    config.setdefault("RATELIMIT_FEED_TOKEN", FEED_TOKEN_LIMITS)
    config.setdefault("RATELIMIT_FEED_ADDRESS", FEED_ADDRESS_LIMITS)


class _StorageNotices(logging.Handler):
    """Flask-Limiter's own warnings, said once each in the app's log, in the app's words.

    Flask-Limiter logs one line when its storage stops answering and one when it answers
    again (per process); without this they would go to Python's last-resort handler, unformatted.
    """

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "falling back to in-memory" in text:
            log.warning(
                "rate-limit storage (Redis) unreachable: submission and per-address limits now "
                "count in this process only, until it answers again; sign-in and password-reset "
                "throttles per account are unaffected (database)"
            )
        elif "storage recovered" in text:
            log.info("rate-limit storage (Redis) answers again: limits are shared again")
        elif record.levelno >= logging.WARNING:
            log.log(record.levelno, "rate limiter: %s", text, exc_info=record.exc_info)


def _route_limiter_log() -> None:
    logger = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(h, _StorageNotices) for h in logger.handlers):
        logger.addHandler(_StorageNotices(level=logging.INFO))
        logger.propagate = False
    # The recovery notice is INFO; breaches are INFO too but filtered above by their text.
    logger.setLevel(logging.INFO)


def register(app: Flask) -> None:
    """Bind a limiter to this app and put the limits on its submission and sign-in views.

    One Limiter per app (not a module global) so that each app, test apps included, has its
    own settings and counters; the views are wrapped here rather than decorated at import.
    """
    _configure(app)
    _route_limiter_log()
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    if not app.config["RATELIMIT_ENABLED"]:
        return

    submissions = limiter.shared_limit(
        lambda: current_app.config["RATELIMIT_SUBMISSIONS"],
        scope="submissions",
        methods=["POST"],
        exempt_when=_is_replay,
        error_message=_submission_message,
    )
    for endpoint in SUBMISSION_ENDPOINTS:
        _wrap(app, endpoint, submissions)

    sign_in = limiter.limit(
        lambda: current_app.config["RATELIMIT_SIGN_IN"],
        methods=["POST"],
        deduct_when=_failed_sign_in,
        error_message=_sign_in_message,
    )
    _wrap(app, SIGN_IN_ENDPOINT, sign_in)
    _wrap(
        app,
        PASSWORD_RESET_ENDPOINT,
        limiter.limit(
            lambda: current_app.config["RATELIMIT_PASSWORD_RESET"],
            methods=["POST"],
            error_message=_reset_message,
        ),
    )
    # Every answer counts, found or not: the limit is what makes guessing hopeless.
    _wrap(
        app,
        FOLLOWUP_REFERENCE_ENDPOINT,
        limiter.limit(
            lambda: current_app.config["RATELIMIT_FOLLOWUP_REFERENCE"],
            error_message=_reference_message,
        ),
    )
    shared = limiter.shared_limit(
        lambda: current_app.config["RATELIMIT_SHARE_LINKS"],
        scope="share-links",
        error_message=_share_message,
    )
    for endpoint in SHARE_LINK_ENDPOINTS:
        _wrap(app, endpoint, shared)

    per_token = limiter.shared_limit(
        lambda: current_app.config["RATELIMIT_FEED_TOKEN"],
        scope="feed-token",
        key_func=token_key,
        error_message=_feed_message,
    )
    per_address = limiter.shared_limit(
        lambda: current_app.config["RATELIMIT_FEED_ADDRESS"],
        scope="feed-address",
        error_message=_feed_message,
    )
    for endpoint in FEED_ENDPOINTS:
        _wrap(app, endpoint, per_token)
        _wrap(app, endpoint, per_address)


def _wrap(app: Flask, endpoint: str, decorator: Callable[[RouteCallable], Any]) -> None:
    view = app.view_functions.get(endpoint)
    if view is None:
        raise RuntimeError(f"rate-limited endpoint {endpoint!r} does not exist")
    app.view_functions[endpoint] = decorator(view)


def limiter_of(app: Flask) -> Limiter:
    return app.extensions[EXTENSION_KEY]
