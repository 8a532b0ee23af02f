"""What the workbook builder is given: plain values, no Flask, no ORM objects."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

STATUSES = ("new", "reviewed")


@dataclass(frozen=True)
class RegionFigures:
    slug: str
    name: str
    stops_held: int = 0
    submissions: int = 0
    by_kind: Mapping[str, int] = field(default_factory=dict)  # kind -> items
    shortlisted: int = 0  # shortlisted ("retenus") items of every kind

    @property
    def items(self) -> int:
        return sum(self.by_kind.values())


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
        by_kind: Counter[str] = Counter()
        for region in self.regions:
            by_kind.update(region.by_kind)
        return RegionFigures(
            slug="",
            name="",
            stops_held=sum(r.stops_held for r in self.regions),
            submissions=sum(r.submissions for r in self.regions),
            by_kind=by_kind,
            shortlisted=sum(r.shortlisted for r in self.regions),
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


def title_language(language: str) -> str:
    """The language of the automatic titles a reader of `language` sees: Arabic readers read
    the Arabic title, every other reader the French one (French is the source language)."""
    return "ar" if language == "ar" else "fr"


def other_title_language(language: str) -> str:
    return "fr" if title_language(language) == "ar" else "ar"


@dataclass(frozen=True)
class IdeaTitles:
    """An idea group's titles for one reader.

    `written`: the title a person wrote that this reader may see (services/ideas/titles.py); it
    always wins. `fr`, `ar`: the automatic titles, the text of the most central member written
    in that language, without its filler (services/ideas/text.short_title); "" when no member
    the reader sees is written in it, which the pages and the workbook say in words rather than
    show the other language in its place.
    """

    written: str = ""
    fr: str = ""
    ar: str = ""

    def automatic(self, language: str) -> str:
        return self.ar if title_language(language) == "ar" else self.fr

    def shown(self, language: str) -> str:
        """The title a reader of `language` reads ("" when the group has nothing in it)."""
        return self.written or self.automatic(language)

    def other(self, language: str) -> str:
        """The automatic title in the other language (hover, the workbook's next column)."""
        return self.automatic(other_title_language(language))


@dataclass(frozen=True)
class Quote:
    """One entry quoted as it was written (only its spacing tidied), never who wrote it."""

    text: str
    language: str  # "fr" or "ar", the language of its text


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
    # Up to three reviewed entries, from distinct organisations, both languages where present.
    quotes: tuple[Quote, ...] = ()
    titles: IdeaTitles = IdeaTitles()


@dataclass(frozen=True)
class MapCell:
    """One group in one region: its entries and distinct organisations there, and its lift
    (the region's share of the group's entries over the region's share of all entries of that
    kind: 1 is the nation's rate, 2 twice as often). `marked`: this region says it markedly
    more than the nation (services/synthesis/idea_map.py decides)."""

    items: int
    organisations: int
    lift: float
    marked: bool = False


@dataclass(frozen=True)
class MapRow:
    """One idea group across the regions (the "Carte des idées" sheet, /hq/ideas/map)."""

    number: int
    kind: str
    items: int
    organisations: int
    cells: Mapping[str, MapCell]  # region slug -> cell, only the regions it was heard in
    reach: str  # "national", "several" or "regional" (one region)
    titles: IdeaTitles = IdeaTitles()

    @property
    def breadth(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class IdeaMap:
    """Groups × regions, widest first (regions heard in), then heaviest (organisations)."""

    regions: tuple[tuple[str, str], ...] = ()  # (slug, name) of the columns, official order
    rows: tuple[MapRow, ...] = ()
    more: int = 0  # groups left out after the rows (a page shows the first ones only)


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
    # The words for codes (exports/labels.py CodeWords): feedback_app/labels.py CODE_WORDS.
    code_words: Mapping[str, Mapping[str, Mapping[str, str]]]
    filters: FilterSummary = field(default_factory=FilterSummary)
    theme_labels: Mapping[int, str] = field(default_factory=dict)
    include_contacts: bool = True
    title_year: int | None = None
    # Region slug -> its brief (exports/brief_sheet.py): a sheet each, and the sign-off lines
    # of the summary sheet. Empty: no brief sheets.
    briefs: Mapping[str, RegionBrief] = field(default_factory=dict)
    ideas: tuple[IdeaGroupRow, ...] = ()  # heaviest first
    idea_map: IdeaMap = IdeaMap()  # the "Carte des idées" sheet
    commitments: tuple[CommitmentRow, ...] = ()  # in region order, national ones first
    # The recent entries the idea groups do not hold yet ("" when they are current; "10000+"
    # past the count's cut) and when the groups were computed: the export never waits for a
    # full regrouping (services/ideas/groups.py refresh_for_export), so the summary says so.
    ideas_waiting: str = ""
    ideas_computed_at: dt.datetime | None = None


ProgressCallback = Callable[[int], None]


# What a region's brief is made of, for the page and the workbook sheet alike.
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
    titles: IdeaTitles = IdeaTitles()
    quotes: tuple[Quote, ...] = ()  # services/ideas/quotes.py: reviewed entries, verbatim


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
