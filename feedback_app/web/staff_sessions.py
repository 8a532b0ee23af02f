"""Staff sessions end after a while: idle for STAFF_SESSION_IDLE_SECONDS (default 8 hours), or
STAFF_SESSION_LIFETIME_SECONDS after sign-in (default 7 days), whichever comes first.

A session left open on a venue's shared computer, or a cookie copied from it, stops working on
its own. Both times travel in the signed session cookie, so they cannot be forged; the staff
member signs in again and lands where they were going.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, session
from flask_login import logout_user

from feedback_app.services.accounts.sessions import session_expired

IDLE_SECONDS = 8 * 3600
LIFETIME_SECONDS = 7 * 24 * 3600
_STARTED, _SEEN = "signed_in_at", "seen_at"
# Refreshing the last-seen time on every request would send a new cookie with every answer.
_SEEN_RESOLUTION = 60


def _enforce() -> None:
    if "_user_id" not in session:
        return
    now = time.time()
    config = current_app.config
    started = session.setdefault(_STARTED, now)
    seen = session.get(_SEEN, now)
    if session_expired(
        started=started,
        seen=seen,
        now=now,
        idle=int(config.get("STAFF_SESSION_IDLE_SECONDS", IDLE_SECONDS)),
        lifetime=int(config.get("STAFF_SESSION_LIFETIME_SECONDS", LIFETIME_SECONDS)),
    ):
        logout_user()
        session.clear()
        return
    if now - seen >= _SEEN_RESOLUTION or _SEEN not in session:
        session[_SEEN] = now


def register(app: Flask) -> None:
    app.before_request(_enforce)
