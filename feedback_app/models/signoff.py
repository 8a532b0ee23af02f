"""A delegate's sign-off of one stop: the summary of what they heard, and whether it is final.

One row per stop, created the first time its summary is saved. `signed_at` set means the stop's
review is final: its statuses, shortlist, themes and notes are read-only for the delegate
(services/review/signoff.py) until headquarters reopens it, which clears `signed_at` but keeps the
summary so the delegate can amend it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, utcnow
from feedback_app.models.user import User


class StopSignOff(Model):
    __tablename__ = "stop_signoffs"
    __table_args__ = (Index("ix_stop_signoffs_region", "region_id"),)

    stop_id: Mapped[int] = mapped_column(
        ForeignKey("tour_stops.id", ondelete="CASCADE"), primary_key=True
    )
    # Copied from the stop so that a region's sign-offs are read without a join.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)

    signed_by: Mapped[User | None] = relationship()

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
