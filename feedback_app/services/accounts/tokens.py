"""One-time, expiring set-password links: handed over by HQ, mailed, or asked for by e-mail.

Only the SHA-256 of a token is stored: whoever reads the database cannot use a pending link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from feedback_app.database import rowcount, write_transaction
from feedback_app.models import PasswordToken, User
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from feedback_app.services.errors import NotFound, ValidationFailed

TOKEN_VALIDITY = dt.timedelta(hours=72)
MAX_PASSWORD_LENGTH = 1024  # argon2 copes, but nobody types more and it bounds the work


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(
    session: Session,
    *,
    user: User,
    actor_id: int | None,
    validity: dt.timedelta = TOKEN_VALIDITY,
    action: str = "user.link_issued",
) -> str:
    """A fresh link token for `user`; any earlier unused link of theirs stops working.

    Runs inside the caller's transaction (no commit), so that creating a user and its first
    link are one change.
    """
    session.execute(
        delete(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    expires = utcnow() + validity
    session.add(PasswordToken(user_id=user.id, token_hash=_digest(token), expires_at=expires))
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        target_type="user",
        target_id=user.id,
        after={"expires_at": expires},
    )
    return token


def find_valid_token(session: Session, token: str) -> PasswordToken:
    """The pending token, or NotFound when it is unknown, used, expired or its user inactive."""
    if not token or len(token) > 200:
        raise NotFound("token")
    row = session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.active:
        raise NotFound("token")
    return row


def check_new_password(password: str, confirmation: str) -> None:
    errors: dict[str, list[object]] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [
            _l("Le mot de passe doit compter au moins %(min)d caractères.", min=MIN_PASSWORD_LENGTH)
        ]
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = [_l("%(max)d caractères au plus.", max=MAX_PASSWORD_LENGTH)]
    elif password != confirmation:
        errors["confirm"] = [_l("Les deux mots de passe ne sont pas identiques.")]
    if errors:
        raise ValidationFailed(errors)


def set_password_with_token(
    session: Session, token: str, *, password: str, confirmation: str
) -> User:
    """Use a link once: set the password, end older sessions, and burn the link."""
    check_new_password(password, confirmation)
    new_hash = hash_password(password)
    digest = _digest(token)
    with write_transaction(session):
        row = find_valid_token(session, token)
        # Burn the link with a guarded UPDATE: two simultaneous posts cannot both use it.
        burned = rowcount(
            session.execute(
                update(PasswordToken)
                .where(PasswordToken.token_hash == digest, PasswordToken.used_at.is_(None))
                .values(used_at=utcnow())
            )
        )
        if burned != 1:
            raise NotFound("token")
        user = row.user
        user.password_hash = new_hash
        user.session_version += 1
        audit.record(
            session,
            actor_id=user.id,
            action="user.password_set",
            target_type="user",
            target_id=user.id,
        )
    return user
