"""Personal read-only API tokens: made and revoked by their owner, checked on every feed call.

A token reads what its owner reads, now: the owner's `Scope` is computed again on each call,
so a delegate moved to another region, or a deactivated account, changes what the token gets
(nothing, for a deactivated account) from the next request on. Only the token's SHA-256 is
stored; the token itself is shown once, when it is made.

Use is recorded without a write per request: a BI refresh reads hundreds of pages in a minute,
and on SQLite every write takes the database's one write lock from the people reviewing.
`last_used_at` is written at most once per USE_PRECISION, and the audit trail gets one row per
token and day (the first call of the day, won by a conditional UPDATE so that two workers never
both write it): "who read the feed, with which token, on which days" is what an auditor asks,
and the access log has each request anyway.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from feedback_app.database import rowcount, write_transaction
from feedback_app.models import ApiToken, User
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.accounts.tokens import _digest
from feedback_app.services.errors import BadToken, NotFound, ValidationFailed

TOKEN_PREFIX = "tnf_"  # recognisable in a leaked file or a secret scanner
LIFETIMES_DAYS = (30, 90, 180, 365)  # the longest is a year: a forgotten token dies by itself
MAX_ACTIVE_TOKENS = 10
MAX_NAME = 80
USE_PRECISION = dt.timedelta(minutes=1)
CREATED, REVOKED, USED = "api_token.created", "api_token.revoked", "api_token.used"


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # the only time it exists in clear
    expires_at: dt.datetime


def create_token(session: Session, user: User, *, name: str, days: int) -> NewToken:
    """A new token for `user`, valid `days` (one of LIFETIMES_DAYS). Audited."""
    errors: dict[str, list[object]] = {}
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        errors["name"] = [_l("Donnez un nom à ce jeton (par exemple : Power BI du siège).")]
    if days not in LIFETIMES_DAYS:
        errors["days"] = [_l("Choisissez une durée de validité proposée.")]
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    with write_transaction(session):
        active = (
            session.scalar(
                select(func.count())
                .select_from(ApiToken)
                .where(
                    ApiToken.user_id == user.id,
                    ApiToken.revoked_at.is_(None),
                    ApiToken.expires_at > now,
                )
            )
            or 0
        )
        if active >= MAX_ACTIVE_TOKENS:
            raise ValidationFailed(
                {
                    "name": [
                        _l(
                            "Vous avez déjà %(num)d jetons actifs : révoquez-en un d'abord.",
                            num=MAX_ACTIVE_TOKENS,
                        )
                    ]
                }
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_digest(token),
            prefix=token[: len(TOKEN_PREFIX) + 4],
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor_id=user.id,
            action=CREATED,
            target_type="api_token",
            target_id=row.id,
            after={"name": name, "expires_at": row.expires_at},
        )
        return NewToken(row.id, token, row.expires_at)


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The owner's tokens, newest first (revoked and expired ones included, marked so)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int) -> None:
    """Stops the token at once. Someone else's token is NotFound, like a missing one."""
    with write_transaction(session):
        row = session.scalar(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        )
        if row is None:
            raise NotFound(token_id)
        if row.revoked_at is not None:
            return
        row.revoked_at = utcnow()
        audit.record(
            session,
            actor_id=user.id,
            action=REVOKED,
            target_type="api_token",
            target_id=row.id,
            before={"name": row.name},
        )


def authenticate(session: Session, token: str | None, *, endpoint: str) -> User:
    """The owner of a usable token, its use recorded (see the module's note); else BadToken."""
    if not token or len(token) > 200:
        raise BadToken()
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    now = utcnow()
    if row is None or not row.usable(now):
        session.rollback()
        raise BadToken()
    user, token_id = row.user, row.id
    stale = row.last_used_at is None or row.last_used_at <= now - USE_PRECISION
    today = now.date()
    unaudited = row.last_audited_on is None or row.last_audited_on < today
    if stale or unaudited:
        _record_use(session, token_id, user, now, endpoint)
    return user


def _record_use(
    session: Session, token_id: int, user: User, now: dt.datetime, endpoint: str
) -> None:
    today = now.date()
    user_id = user.id
    with write_transaction(session):
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        first_today = rowcount(
            session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    or_(ApiToken.last_audited_on.is_(None), ApiToken.last_audited_on < today),
                )
                .values(last_audited_on=today)
            )
        )
        if first_today:
            audit.record(
                session,
                actor_id=user_id,
                action=USED,
                target_type="api_token",
                target_id=token_id,
                after={"endpoint": endpoint, "day": today},
            )
