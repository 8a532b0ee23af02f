"""One uploaded file of paper or spreadsheet intake, from its preview to its commit.

The parsed rows wait here (not on one host's disk) between the preview and the confirmation, so
that any application host can commit them; the status moves from `pending` to `committed` once,
in the same transaction as the submissions it stores.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.stop import TourStop
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow
from feedback_app.models.user import User


class ImportStatus(enum.StrEnum):
    PENDING = "pending"
    COMMITTED = "committed"


class ImportBatch(Model):
    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_stop_sha256", "stop_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("tour_stops.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    # None when imported from the command line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.PENDING
    )
    # The preview: every row with its outcome and, when valid, the cleaned values to store.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    stored_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    committed_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)

    stop: Mapped[TourStop] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.file_name}>"
