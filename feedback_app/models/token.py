"""One-time, expiring set-password links handed over by HQ (no mail server is assumed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, utcnow
from feedback_app.models.user import User


class PasswordToken(Model):
    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash is stored: a database leak must not hand out working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP)
    used_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    user: Mapped[User] = relationship()
