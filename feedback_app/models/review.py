"""What staff add to a submission: private notes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, utcnow
from feedback_app.models.user import User


class ReviewNote(Model):
    __tablename__ = "review_notes"
    __table_args__ = (Index("ix_review_notes_submission", "submission_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    author: Mapped[User | None] = relationship()
