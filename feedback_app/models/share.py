"""Share links: a region's brief for someone without an account, until it expires or is revoked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, utcnow


class ShareLink(Model):
    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only the token's SHA-256 is stored: a database leak must not hand out working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    # A deleted account's links stay (and keep working until they expire): the creator is
    # then unknown, as in the audit trail.
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
