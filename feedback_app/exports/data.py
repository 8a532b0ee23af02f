"""What the workbook builder is given: plain values, no Flask, no ORM objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from feedback_app.exports.brief_data import RegionBrief

KINDS = ("need", "opportunity", "challenge", "proposal")
STATUSES = ("new", "reviewed")


@dataclass(frozen=True)
class RegionFigures:
    slug: str
    name: str
    stops_held: int = 0
    submissions: int = 0
    needs: int = 0
    opportunities: int = 0
    challenges: int = 0
    proposals: int = 0
    shortlisted: int = 0  # shortlisted ("retenus") items of every kind

    @property
    def items(self) -> int:
        return self.needs + self.opportunities + self.challenges + self.proposals

    def by_kind(self, kind: str) -> int:
        return {
            "need": self.needs,
            "opportunity": self.opportunities,
            "challenge": self.challenges,
            "proposal": self.proposals,
        }[kind]


@dataclass(frozen=True)
class ThemeCount:
    code: str
    label: str
    count: int
    id: int | None = None


@dataclass(frozen=True)
class Synthesis:
    regions: tuple[RegionFigures, ...]
    categories: tuple[tuple[str, str], ...]  # (code, label) in the official order
    by_category: Mapping[str, Mapping[str, int]]  # region slug -> category code -> submissions
    top_themes: Mapping[str, tuple[ThemeCount, ...]]  # kind -> most cited themes

    @property
    def totals(self) -> RegionFigures:
        def total(name: str) -> int:
            return sum(getattr(r, name) for r in self.regions)

        return RegionFigures(
            slug="",
            name="",
            stops_held=total("stops_held"),
            submissions=total("submissions"),
            needs=total("needs"),
            opportunities=total("opportunities"),
            challenges=total("challenges"),
            proposals=total("proposals"),
            shortlisted=total("shortlisted"),
        )

    def category_total(self, code: str) -> int:
        return sum(counts.get(code, 0) for counts in self.by_category.values())


class ItemRow(NamedTuple):
    """One feedback item as the region sheets show it, in the official region order.

    Codes (category, kind, priority, status) are turned into labels by the builder; contact
    fields are None unless the respondent consented and the reader may see them.
    """

    region: str  # region slug
    date: dt.date
    city: str
    organisation: str
    category: str
    kind: str
    theme_id: int | None
    text: str
    priority: str | None
    status: str
    shortlisted: bool
    reference: str
    person_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    group: int | None = None  # the number of its idea group (None: alone in the selection)
    source: str = "form"  # form, api, tablet or import


@dataclass(frozen=True)
class IdeaGroupRow:
    """One recurring idea as the "Idées récurrentes" sheet shows it, counted in the selection.

    Lists hold labels already in the workbook's language, most frequent first.
    """

    number: int
    title: str
    kind: str
    items: int
    organisations: int
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()  # up to three typical texts, from distinct organisations


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment as the "Engagements" sheet shows it, texts in the workbook's language."""

    region: str  # region names, or "" for a national commitment
    title: str
    owner: str
    ideas: tuple[str, ...]  # "n° 12 — title" of the idea groups and shortlisted entries it answers
    status: str  # planned, in_progress, done, dropped
    progress: int
    last_reason: str = ""


@dataclass(frozen=True)
class FilterSummary:
    """The filters as the reader chose them, already labelled (names, cities)."""

    regions: tuple[str, ...] = ()  # region names; empty: all regions the reader may see
    stops: tuple[str, ...] = ()  # "City (date)"; empty: all stops
    since: dt.date | None = None
    until: dt.date | None = None
    statuses: tuple[str, ...] = ()  # status codes; empty: all but spam


@dataclass
class WorkbookData:
    synthesis: Synthesis
    rows: Iterable[ItemRow]  # streamed: consumed once, in region order
    generated_at: dt.datetime
    generated_by: str
    filters: FilterSummary = field(default_factory=FilterSummary)
    theme_labels: Mapping[int, str] = field(default_factory=dict)
    include_contacts: bool = True
    title_year: int | None = None
    # Region slug -> its brief (exports/brief_sheet.py): a sheet each, and the sign-off lines
    # of the summary sheet. Empty: no brief sheets.
    briefs: Mapping[str, RegionBrief] = field(default_factory=dict)
    ideas: tuple[IdeaGroupRow, ...] = ()  # heaviest first
    commitments: tuple[CommitmentRow, ...] = ()  # in region order, national ones first


ProgressCallback = Callable[[int], None]
