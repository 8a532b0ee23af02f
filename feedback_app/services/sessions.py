"""Which staff account a session cookie belongs to, if it is still valid."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedback_app.models import User


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user of a `"<id>:<version>"` cookie id, unless deactivated or signed out since."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
