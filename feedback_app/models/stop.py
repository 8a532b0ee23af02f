"""A tour stop: one meeting in one region, reached through its public code."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.reference import Region
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow


class StopStatus(enum.StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class TourStop(Model):
    __tablename__ = "tour_stops"
    __table_args__ = (Index("ix_tour_stops_region_date", "region_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    # `city` and `venue` are the French names; the others fall back to them when empty.
    city: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str | None] = mapped_column(String(200))
    city_ar: Mapped[str | None] = mapped_column(String(120))
    city_en: Mapped[str | None] = mapped_column(String(120))
    venue_ar: Mapped[str | None] = mapped_column(String(200))
    venue_en: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[StopStatus] = mapped_column(
        str_enum(StopStatus, "stop_status"), default=StopStatus.PLANNED
    )
    # Hours after closing during which submissions filled while it was open are still taken.
    grace_hours: Mapped[int] = mapped_column(SmallInteger, default=24)
    closed_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    # HQ's choice: may the live screen show item texts nobody has reviewed yet?
    live_shows_unreviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status is StopStatus.OPEN

    def city_for(self, language: str | None) -> str:
        """The city in `language`, else in French."""
        own: str | None = getattr(self, f"city_{language}", None) if language != "fr" else None
        return own or self.city

    def venue_for(self, language: str | None) -> str | None:
        own: str | None = getattr(self, f"venue_{language}", None) if language != "fr" else None
        return own or self.venue

    def falls_back(self, language: str | None) -> bool:
        """True when a name shown in `language` is really the French one (not translated)."""
        if language not in ("ar", "en"):
            return False
        return not getattr(self, f"city_{language}") or bool(
            self.venue and not getattr(self, f"venue_{language}")
        )

    def __repr__(self) -> str:
        return f"<TourStop {self.code} {self.city}>"
