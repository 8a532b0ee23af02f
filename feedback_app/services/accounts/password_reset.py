"""The self-service "forgotten password": a one-time link for whoever owns the address.

The answer is the same whether or not an account exists: an audit row is written either way,
and the caller sends the mail out of band and pads its answer to a fixed minimum time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import PasswordToken, User
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.accounts.tokens import issue_token
from feedback_app.services.accounts.users import find_user_by_email, normalise_email

RESET_VALIDITY = dt.timedelta(hours=1)
# One mail per account per this delay: a form posted in a loop cannot flood an inbox.
RESET_COOLDOWN = dt.timedelta(minutes=2)


def _as_aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _recently_issued(session: Session, user: User) -> bool:
    latest = session.scalar(
        select(PasswordToken.created_at)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .order_by(PasswordToken.created_at.desc())
        .limit(1)
    )
    return latest is not None and _as_aware(latest) > utcnow() - RESET_COOLDOWN


def request_reset(session: Session, *, email: str, address: str) -> tuple[User, str] | None:
    """The account and its fresh link token, or None (unknown, inactive, or asked just now)."""
    email = normalise_email(email)[:254]
    with write_transaction(session):
        user = find_user_by_email(session, email) if email else None
        if user is None or not user.active or _recently_issued(session, user):
            audit.record(
                session,
                actor_id=None,
                action="auth.reset_refused",
                target_type="user",
                target_id=user.id if user else None,
                after={"email": email, "address": address},
            )
            return None
        token = issue_token(
            session,
            user=user,
            actor_id=None,
            validity=RESET_VALIDITY,
            action="auth.reset_requested",
        )
    return user, token
