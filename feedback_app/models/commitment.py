"""Commitments ("engagements"): what was decided in answer to the ideas heard, and their story.

A commitment covers one or more regions, or none: then it is national, and it may group
regional commitments (`parent_id`) whose progress it rolls up. It answers idea groups and/or
shortlisted entries. Every status change keeps its public reason in `commitment_changes`; the
professionals who consented to contact and whose ideas it answers get one mail per change
(`commitment_notices`, one row per change and person: the idempotency key of the send).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.reference import Region
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow


class CommitmentStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class NoticeState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; a rerun sends it again under the same Message-ID
    SENT = "sent"
    CAPPED = "capped"  # the person already had a mail that day
    DROPPED = "dropped"  # no address any more (erased, purged) or unsubscribed


commitment_regions = Table(
    "commitment_regions",
    Model.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id"), primary_key=True),
    Index("ix_commitment_regions_region", "region_id"),
)

commitment_groups = Table(
    "commitment_groups",
    Model.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("idea_groups.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_commitment_groups_group", "group_id"),
)

commitment_items = Table(
    "commitment_items",
    Model.metadata,
    Column("commitment_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_commitment_items_item", "item_id"),
)


class Commitment(Model):
    __tablename__ = "commitments"
    __table_args__ = (Index("ix_commitments_parent", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_fr: Mapped[str] = mapped_column(String(200))
    title_ar: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str] = mapped_column(Text)
    description_ar: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.PLANNED
    )
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    # A national commitment (no region) may group regional ones.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)

    regions: Mapped[list[Region]] = relationship(
        secondary=commitment_regions, order_by=Region.position
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment",
        order_by="Milestone.due, Milestone.id",
        cascade="all, delete-orphan",
    )
    changes: Mapped[list[StatusChange]] = relationship(
        back_populates="commitment",
        order_by="StatusChange.id",
        cascade="all, delete-orphan",
    )

    @property
    def national(self) -> bool:
        return not self.regions

    def title_for(self, language: str | None) -> str:
        return getattr(self, f"title_{language}", None) or self.title_fr

    def description_for(self, language: str | None) -> str:
        return getattr(self, f"description_{language}", None) or self.description_fr


class Milestone(Model):
    __tablename__ = "commitment_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    due: Mapped[dt.date] = mapped_column(Date)
    label_fr: Mapped[str] = mapped_column(String(200))
    label_ar: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")

    def label_for(self, language: str | None) -> str:
        return getattr(self, f"label_{language}", None) or self.label_fr


class StatusChange(Model):
    """One status (or progress) change and its public reason; the first row is the creation."""

    __tablename__ = "commitment_changes"
    __table_args__ = (Index("ix_commitment_changes_commitment", "commitment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_change_status")
    )
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="changes")


class CommitmentNotice(Model):
    """One mail about one change to the person behind one submission: the row is the send's
    idempotency key (unique per change and submission).

    The address is never copied here: it is read from the submission when sending, so an
    erasure takes effect at once. `person` (a keyed hash of the folded address, set when
    sending) enforces the daily cap across a person's several submissions.
    """

    __tablename__ = "commitment_notices"
    __table_args__ = (
        UniqueConstraint(
            "change_id", "submission_id", name="uq_commitment_notices_change_submission"
        ),
        Index("ix_commitment_notices_submission", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("commitment_changes.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    person: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[NoticeState] = mapped_column(
        str_enum(NoticeState, "commitment_notice_state"), default=NoticeState.PENDING
    )
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)


class MailDay(Model):
    """A person had a follow-up mail that day: the daily cap, one INSERT that can only win once."""

    __tablename__ = "commitment_mail_days"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class Unsubscribed(Model):
    """A person who asked for no more follow-up mail (keyed hash of the address)."""

    __tablename__ = "commitment_unsubscribed"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
