"""What a region's brief is made of: plain values, for the page and the workbook sheet alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from feedback_app.exports.data import CommitmentRow, RegionFigures, ThemeCount


@dataclass(frozen=True)
class BriefStop:
    """One stop's sign-off: `signed_at` None means not (or no longer) signed off."""

    city: str
    date: dt.date
    summary: str
    signed_by: str | None
    signed_at: dt.datetime | None


@dataclass(frozen=True)
class IdeaCount:
    label: str
    count: int


@dataclass(frozen=True)
class BriefItem:
    text: str
    theme: str  # label in the brief's language, "" without a theme
    city: str


@dataclass(frozen=True)
class RegionBrief:
    slug: str
    name: str
    figures: RegionFigures
    stops: tuple[BriefStop, ...]
    top_themes: Mapping[str, tuple[ThemeCount, ...]]  # kind -> most cited themes
    ideas: Mapping[str, tuple[IdeaCount, ...]] = field(default_factory=dict)  # kind -> top 5
    shortlisted: Mapping[str, tuple[BriefItem, ...]] = field(default_factory=dict)  # kind ->
    shortlisted_more: Mapping[str, int] = field(default_factory=dict)  # kind -> left out
    commitments: tuple[CommitmentRow, ...] = ()  # the region's and the national ones, last

    @property
    def signed_off(self) -> bool:
        """Every stop of the region signed off (a region without stops is not)."""
        return bool(self.stops) and all(s.signed_at is not None for s in self.stops)

    @property
    def last_signed(self) -> BriefStop | None:
        signed = [s for s in self.stops if s.signed_at is not None]
        return max(signed, key=lambda s: s.signed_at or dt.datetime.min) if signed else None
