"""Which staff account a session cookie belongs to, if it is still valid."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedback_app.models import User
from feedback_app.services.ids import parse_id


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user of a `"<id>:<version>"` cookie id, unless deactivated or signed out since."""
    user_id, _sep, version = session_id.partition(":")
    number = parse_id(user_id)
    if number is None or not version.isdigit():
        return None
    user = session.get(User, number)
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def session_expired(*, started: float, seen: float, now: float, idle: int, lifetime: int) -> bool:
    """Whether a session begun at `started` and last used at `seen` (epoch seconds) is over."""
    return now - seen > idle or now - started > lifetime
