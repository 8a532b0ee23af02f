"""Personal, read-only API tokens for BI tools (the feed under /api/v1/feed/)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, utcnow
from feedback_app.models.user import User


class ApiToken(Model):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The owner's own words ("Power BI du siège"), to tell their tokens apart.
    name: Mapped[str] = mapped_column(String(80))
    # Only the SHA-256 of the token is kept: a database leak hands out no working token. The
    # token is 256 random bits, so a fast hash is enough (nothing to brute-force).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, shown on the account page to recognise it.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    # Written at most once a minute, and one audit row per token and day (services/accounts/
    # api_tokens.py says why): a BI refresh reading 200 pages costs no 200 writes.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    last_audited_on: Mapped[dt.date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()

    def usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.user.active
