"""Built workbooks and the background jobs that build them, shared by every host.

An artifact is one workbook: its bytes, what it covers (regions, filters, language, whether it
has contact columns) and who asked for it. It is written once per request key and data
fingerprint (unique), so a job delivered twice joins the first one's row. A job is a request
waiting for, or being turned into, an artifact.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow
from feedback_app.models.user import User


class ExportArtifact(Model):
    __tablename__ = "export_artifacts"
    __table_args__ = (
        Index("ix_export_artifacts_request", "request_key", "fingerprint", unique=True),
        Index("ix_export_artifacts_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    region_ids: Mapped[list[int]] = mapped_column(JSON)  # every region the workbook covers
    filters: Mapped[dict[str, object]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    has_contacts: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(255))
    items: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    # Loaded only when the file is sent.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP)

    owner: Mapped[User | None] = relationship()


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobFailure(enum.StrEnum):
    """Why a job failed, for its page to say in words."""

    NO_SPACE = "no_space"  # the build's disk was full
    LOST = "lost"  # its message vanished from the broker (restarted or flushed) before it ran
    INTERRUPTED = "interrupted"  # it stopped sending heartbeats while running
    ACCESS = "access"  # the owner's account or regions no longer allow it
    ERROR = "error"  # anything else (logged with its traceback)


class ExportJob(Model):
    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_owner_state", "owner_id", "state"),
        Index("ix_export_jobs_state_created", "state", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # unguessable
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    request_key: Mapped[str] = mapped_column(String(64), index=True)
    request: Mapped[dict[str, object]] = mapped_column(JSON)  # filters, language, contacts
    generated_by: Mapped[str] = mapped_column(String(400))
    tz: Mapped[str] = mapped_column(String(64))
    state: Mapped[JobState] = mapped_column(
        str_enum(JobState, "export_job_state"), default=JobState.QUEUED
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    artifact_id: Mapped[int | None] = mapped_column(
        ForeignKey("export_artifacts.id", ondelete="SET NULL")
    )
    failure: Mapped[str | None] = mapped_column(String(32))  # a JobFailure, when failed
    message_id: Mapped[str | None] = mapped_column(String(64))  # the broker's, once sent
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    finished_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    owner: Mapped[User] = relationship()
    artifact: Mapped[ExportArtifact | None] = relationship()
