"""Attempt counters shared by every worker: "at most N tries per window" for any key.

Each attempt is counted *before* the guarded work is done (a password checked, a mail sent),
in one INSERT ... ON CONFLICT DO UPDATE ... RETURNING statement per key, committed at once.
Simultaneous attempts therefore cannot all slip through on a count read before anybody wrote:
with an allowance of 5, at most 5 attempts go on, whatever the number of workers or threads.
The database is the one store every worker and host already shares (SQLite 3.35+ and
PostgreSQL both know this statement).

Keys are keyed hashes (HMAC-SHA-256 with the application's secret): what the user typed and
the client's address are never stored in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import SignInCounter
from feedback_app.models.types import utcnow


@dataclass(frozen=True)
class Allowance:
    """At most `attempts` attempts under `key` in one window."""

    key: str
    attempts: int


def counter_key(secret: str | bytes, *parts: str) -> str:
    """The stored key of a counter: a keyed hash of its parts (e.g. "account", email, address)."""
    raw_secret = secret.encode() if isinstance(secret, str) else secret
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(raw_secret, message, hashlib.sha256).hexdigest()


def _as_aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _count(
    session: Session, key: str, now: dt.datetime, window: dt.timedelta
) -> tuple[int, dt.datetime]:
    table = SignInCounter.__table__
    expired = table.c.window_start <= now - window
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(key=key, attempts=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            # Both expressions read the row as it was before this statement.
            set_={
                "attempts": case((expired, 1), else_=table.c.attempts + 1),
                "window_start": case((expired, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.attempts, table.c.window_start)
    )
    attempts, window_start = session.execute(statement).one()
    return attempts, _as_aware(window_start)


def take_attempt(
    session: Session,
    allowances: Sequence[Allowance],
    *,
    window: dt.timedelta,
    now: dt.datetime | None = None,
) -> int:
    """Count one attempt under every allowance and commit; seconds to wait if any is used up.

    0 means "go on". A refused attempt is counted too (it changes nothing: the window, not the
    count, decides when the key is free again).
    """
    now = now or utcnow()
    wait = 0.0
    with write_transaction(session):
        session.execute(delete(SignInCounter).where(SignInCounter.window_start <= now - window))
        for allowance in allowances:
            attempts, window_start = _count(session, allowance.key, now, window)
            if attempts > allowance.attempts:
                wait = max(wait, (window_start + window - now).total_seconds())
    return max(1, int(wait + 0.999)) if wait > 0 else 0


def give_back(session: Session, *, forget: Sequence[str] = (), refund: Sequence[str] = ()) -> None:
    """After a success: the `forget` counters start again, the `refund` ones get one back.

    Runs inside the caller's write transaction.
    """
    if forget:
        session.execute(delete(SignInCounter).where(SignInCounter.key.in_(forget)))
    if refund:
        session.execute(
            update(SignInCounter)
            .where(SignInCounter.key.in_(refund), SignInCounter.attempts > 0)
            .values(attempts=SignInCounter.attempts - 1)
        )
