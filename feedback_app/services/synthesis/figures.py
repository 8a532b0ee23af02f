"""The synthesis headquarters decides from: figures per region, by category, top themes.

Everything is counted in SQL with GROUP BY (loading ORM objects to count was 21x slower at
400k items); the item rows for the workbook are streamed by `synthesis_rows`. Spam is never
counted. Every query goes through a `Selection`: the filters checked against the reader's
scope, so a delegate's figures only ever cover their own regions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import RegionFigures, Synthesis, ThemeCount
from feedback_app.locales import LANGUAGES, TIME_ZONE, local_midnight_utc
from feedback_app.models import (
    Category,
    FeedbackItem,
    ItemKind,
    Region,
    ReviewStatus,
    StopStatus,
    StopTally,
    Submission,
    Theme,
    TourStop,
    contributions,
)
from feedback_app.models.tally import CATEGORY, NO_THEME, SHORTLISTED, SUBMISSIONS
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound

TOP_THEMES = 5
# The statuses an export may ask for; spam is excluded whatever the filters say.
COUNTED_STATUSES = (ReviewStatus.NEW, ReviewStatus.REVIEWED)


@dataclass(frozen=True)
class SynthesisFilters:
    """What the reader asked for; empty means "everything my scope allows"."""

    region_slugs: tuple[str, ...] = ()
    stop_ids: tuple[int, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    statuses: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "regions": sorted(self.region_slugs),
            "stops": sorted(self.stop_ids),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "statuses": sorted(self.statuses),
        }


@dataclass(frozen=True)
class RegionRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class StopRef:
    id: int
    region_id: int
    city: str
    date: dt.date


@dataclass(frozen=True)
class Selection:
    """Filters resolved against the scope: ids, bounds and labels in the chosen language."""

    filters: SynthesisFilters
    scope: Scope
    language: str
    regions: tuple[RegionRef, ...]  # shown regions, in the official order
    stops: tuple[StopRef, ...]  # chosen stops (empty: all)
    statuses: tuple[ReviewStatus, ...]
    start: dt.datetime | None  # UTC bounds on Submission.created_at, end exclusive
    end: dt.datetime | None
    tz: str = TIME_ZONE
    category_labels: dict[str, str] = field(default_factory=dict)
    theme_labels: dict[int, str] = field(default_factory=dict)
    theme_codes: dict[int, str] = field(default_factory=dict)

    @property
    def region_ids(self) -> list[int]:
        return [r.id for r in self.regions]

    @property
    def stop_ids(self) -> list[int]:
        return [s.id for s in self.stops]

    def submission_conditions(self, *, any_status: bool = False) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Submission.region_id.in_(self.region_ids)]
        if not any_status:
            conditions.append(Submission.status.in_(self.statuses))
        if self.stops:
            conditions.append(Submission.stop_id.in_(self.stop_ids))
        if self.start is not None:
            conditions.append(Submission.created_at >= self.start)
        if self.end is not None:
            conditions.append(Submission.created_at < self.end)
        return conditions


def resolve(
    session: Session,
    scope: Scope,
    filters: SynthesisFilters,
    *,
    language: str = "fr",
    tz: str = TIME_ZONE,
) -> Selection:
    """Check the filters against the scope. A region or stop the reader may not see (or that
    does not exist) raises NotFound, exactly as for a record that does not exist."""
    all_regions = session.execute(
        select(Region.id, Region.slug, Region.name_fr, Region.name_ar, Region.name_en).order_by(
            Region.position
        )
    ).all()
    visible = [r for r in all_regions if scope.allows(r.id)]
    by_slug = {r.slug: r for r in visible}
    unknown = [slug for slug in filters.region_slugs if slug not in by_slug]
    if unknown:
        raise NotFound(unknown[0])

    stops: list[StopRef] = []
    if filters.stop_ids:
        rows = session.execute(
            select(TourStop.id, TourStop.region_id, TourStop.city, TourStop.date)
            .where(TourStop.id.in_(filters.stop_ids))
            .order_by(TourStop.date, TourStop.id)
        ).all()
        stops = [
            StopRef(r.id, r.region_id, r.city, r.date) for r in rows if scope.allows(r.region_id)
        ]
        if len(stops) != len(set(filters.stop_ids)):
            raise NotFound("stop")

    chosen = set(filters.region_slugs)
    if not chosen and stops:
        # Stops chosen without regions: the workbook shows the regions of those stops.
        chosen = {r.slug for r in visible if any(s.region_id == r.id for s in stops)}
    shown = [r for r in visible if not chosen or r.slug in chosen]
    if chosen and stops:
        stops = [s for s in stops if any(s.region_id == r.id for r in shown)]

    statuses = tuple(
        s for s in COUNTED_STATUSES if not filters.statuses or s.value in filters.statuses
    )
    name = f"name_{language}" if language in LANGUAGES else "name_fr"
    categories = session.execute(select(Category).order_by(Category.position)).scalars()
    themes = session.execute(select(Theme).order_by(Theme.position, Theme.id)).scalars().all()
    return Selection(
        filters=filters,
        scope=scope,
        language=language,
        regions=tuple(RegionRef(r.id, r.slug, getattr(r, name) or r.name_fr) for r in shown),
        stops=tuple(stops),
        statuses=statuses or COUNTED_STATUSES,
        start=local_midnight_utc(filters.since, tz) if filters.since else None,
        end=(
            local_midnight_utc(filters.until + dt.timedelta(days=1), tz) if filters.until else None
        ),
        tz=tz,
        category_labels={c.code: c.name_for(language) for c in categories},
        theme_labels={t.id: t.name_for(language) for t in themes},
        theme_codes={t.id: t.code for t in themes},
    )


def _stops_held(session: Session, sel: Selection) -> dict[int, int]:
    """Meetings that took place (open or closed) in the period, per region."""
    conditions: list[ColumnElement[bool]] = [
        TourStop.region_id.in_(sel.region_ids),
        TourStop.status.in_([StopStatus.OPEN, StopStatus.CLOSED]),
    ]
    if sel.stops:
        conditions.append(TourStop.id.in_(sel.stop_ids))
    if sel.filters.since:
        conditions.append(TourStop.date >= sel.filters.since)
    if sel.filters.until:
        conditions.append(TourStop.date <= sel.filters.until)
    rows = session.execute(
        select(TourStop.region_id, func.count()).where(*conditions).group_by(TourStop.region_id)
    ).all()
    return {region_id: count for region_id, count in rows}


def counts_all_time(sel: Selection) -> bool:
    """Whether the stops' running counts answer for the selection (they count every date,
    spam left out)."""
    return sel.start is None and sel.end is None and set(sel.statuses) == set(COUNTED_STATUSES)


def synthesis(session: Session, sel: Selection, *, top: int = TOP_THEMES) -> Synthesis:
    """The figures of the Synthèse sheet and of the dashboard: read from the stops' running
    counts (services/capture/tally.py) for all time, else counted with four GROUP BY queries
    (at 1,000,000 submissions these take seconds; the counts a few milliseconds)."""
    if counts_all_time(sel):
        return _tallied_synthesis(session, sel, top)
    conditions = sel.submission_conditions()
    submissions = dict(
        session.execute(
            select(Submission.region_id, contributions())
            .where(*conditions)
            .group_by(Submission.region_id)
        ).all()
    )

    # "Retenu" means the same everywhere: a shortlisted item of any kind.
    shortlisted_item = case((FeedbackItem.shortlisted.is_(True), 1), else_=0)
    kinds: dict[int, dict[str, int]] = defaultdict(dict)
    shortlisted: dict[int, int] = defaultdict(int)
    for region_id, kind, count, retained in session.execute(
        select(Submission.region_id, FeedbackItem.kind, func.count(), func.sum(shortlisted_item))
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(*conditions)
        .group_by(Submission.region_id, FeedbackItem.kind)
    ):
        kinds[region_id][ItemKind(kind).value] = count
        shortlisted[region_id] += int(retained or 0)

    by_category: dict[str, dict[str, int]] = {r.slug: {} for r in sel.regions}
    slugs = {r.id: r.slug for r in sel.regions}
    for region_id, code, count in session.execute(
        select(Submission.region_id, Submission.category_code, contributions())
        .where(*conditions)
        .group_by(Submission.region_id, Submission.category_code)
    ):
        by_category[slugs[region_id]][code] = count

    per_kind: dict[str, list[ThemeCount]] = {k.value: [] for k in ItemKind}
    for kind, theme_id, count in session.execute(
        select(FeedbackItem.kind, FeedbackItem.theme_id, func.count().label("n"))
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(*conditions, FeedbackItem.theme_id.is_not(None))
        .group_by(FeedbackItem.kind, FeedbackItem.theme_id)
        .order_by(FeedbackItem.kind, func.count().desc(), FeedbackItem.theme_id)
    ):
        ranked = per_kind[ItemKind(kind).value]
        assert theme_id is not None  # unthemed items are not counted
        if len(ranked) < top:
            label = sel.theme_labels.get(theme_id, str(theme_id))
            code = sel.theme_codes.get(theme_id, str(theme_id))
            ranked.append(ThemeCount(code=code, label=label, count=count, id=theme_id))

    return _assemble(session, sel, submissions, kinds, shortlisted, by_category, per_kind)


def _tallied_synthesis(session: Session, sel: Selection, top: int) -> Synthesis:
    """`synthesis` from the stops' running counts: the same figures, one read of a few
    thousand rows (stops x kinds x themes) instead of GROUP BYs over every item."""
    conditions: list[ColumnElement[bool]] = [TourStop.region_id.in_(sel.region_ids)]
    if sel.stops:
        conditions.append(TourStop.id.in_(sel.stop_ids))
    submissions: dict[int, int] = defaultdict(int)
    kinds: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shortlisted: dict[int, int] = defaultdict(int)
    by_category: dict[str, dict[str, int]] = {r.slug: {} for r in sel.regions}
    slugs = {r.id: r.slug for r in sel.regions}
    themes: dict[tuple[str, int], int] = defaultdict(int)
    item_kinds = {kind.value for kind in ItemKind}
    for region_id, kind, theme_key, count in session.execute(
        select(TourStop.region_id, StopTally.kind, StopTally.theme_key, func.sum(StopTally.count))
        .join(TourStop, TourStop.id == StopTally.stop_id)
        .where(*conditions)
        .group_by(TourStop.region_id, StopTally.kind, StopTally.theme_key)
    ):
        if not count:
            continue
        if kind == SUBMISSIONS:
            submissions[region_id] += count
        elif kind.startswith(SHORTLISTED):
            shortlisted[region_id] += count
        elif kind.startswith(CATEGORY):
            code = kind.removeprefix(CATEGORY)
            by_category[slugs[region_id]][code] = by_category[slugs[region_id]].get(code, 0) + count
        elif kind in item_kinds:
            kinds[region_id][kind] += count
            if theme_key != NO_THEME:
                themes[(kind, theme_key)] += count
    per_kind: dict[str, list[ThemeCount]] = {k.value: [] for k in ItemKind}
    for (kind, theme_id), count in sorted(themes.items(), key=lambda t: (t[0][0], -t[1], t[0][1])):
        ranked = per_kind[kind]
        if len(ranked) < top:
            label = sel.theme_labels.get(theme_id, str(theme_id))
            code = sel.theme_codes.get(theme_id, str(theme_id))
            ranked.append(ThemeCount(code=code, label=label, count=count, id=theme_id))
    return _assemble(session, sel, submissions, kinds, shortlisted, by_category, per_kind)


def _assemble(
    session: Session,
    sel: Selection,
    submissions: Mapping[int, int],
    kinds: Mapping[int, Mapping[str, int]],
    shortlisted: Mapping[int, int],
    by_category: dict[str, dict[str, int]],
    per_kind: dict[str, list[ThemeCount]],
) -> Synthesis:
    held = _stops_held(session, sel)
    figures = tuple(
        RegionFigures(
            slug=r.slug,
            name=r.name,
            stops_held=held.get(r.id, 0),
            submissions=submissions.get(r.id, 0),
            by_kind={kind.value: kinds.get(r.id, {}).get(kind.value, 0) for kind in ItemKind},
            shortlisted=shortlisted.get(r.id, 0),
        )
        for r in sel.regions
    )
    return Synthesis(
        regions=figures,
        categories=tuple(sel.category_labels.items()),
        by_category=by_category,
        top_themes={kind: tuple(ranked) for kind, ranked in per_kind.items()},
    )
