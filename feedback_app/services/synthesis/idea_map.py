"""National vs regional: where each idea group was heard (the map page and its sheet).

For every group with at least two entries in the selection: per region, its entries and
distinct organisations, and its lift — the region's share of the group's entries divided by
the region's share of all the selection's entries of that kind. A lift of 1 is the national
rate; a region whose lift reaches LIFT_MARK with at least MARK_ORGANISATIONS organisations
says it markedly more than the nation (one organisation repeating itself is not a region).
A group heard in at least half of the regions that spoke (and in two at least) is national;
in one region, that region's own.

For all time and every status (no period, status or stop chosen) over one region or every
region, the counts are those kept as they change: the groups' per region and over every region
(services/ideas/tallies.py) and the stops' entries by kind (services/capture/tally.py), an
ordered read of the groups' rows and the cells of the rows shown (55 s at 1,000,000
submissions counted, milliseconds read). Any other selection is counted: two aggregates over
its memberships and entries. Then the titles of the groups shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import IdeaMap, IdeaTitles, MapCell, MapRow
from feedback_app.models import (
    EVERY_REGION,
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupTally,
    ItemKind,
    Region,
    StopTally,
    Submission,
    TourStop,
    fold,
)
from feedback_app.services.ideas.queries import MIN_ITEMS, group_titles
from feedback_app.services.synthesis.figures import Selection, counts_all_time

LIFT_MARK = 2.0
MARK_ORGANISATIONS = 2
# Above this many groups (the complete map of the workbook), every region's tally rows rather
# than an IN list that long.
_IN_LIST = 500


def reach(breadth: int, regions_heard: int) -> str:
    """ "national", "several" or "regional" for a group heard in `breadth` of the
    `regions_heard` regions that said anything of its kind."""
    if breadth <= 1:
        return "regional"
    if breadth >= max(2, (regions_heard + 1) // 2):
        return "national"
    return "several"


@dataclass
class _Heard:
    """One group within the selection: its entries and distinct organisations, in all and per
    region (region id -> (entries, organisations))."""

    kind: str
    items: int = 0
    organisations: int = 0
    by_region: dict[int, tuple[int, int]] = field(default_factory=dict)


def idea_map(
    session: Session,
    sel: Selection,
    titles: Mapping[int, IdeaTitles] | None = None,
    *,
    limit: int | None = None,
) -> IdeaMap:
    """The map of the selection, its first `limit` rows (all without one). `titles` (group
    number -> titles) when the caller has them already (the workbook: the "Idées
    récurrentes" rows); otherwise they are read for the reader's scope, for the rows kept.

    Read from the kept counts (`tallied_region`) when they answer for the selection, else
    counted from the memberships (`counted_idea_map`): the same map either way."""
    region = tallied_region(session, sel)
    if region is None:
        return counted_idea_map(session, sel, titles, limit=limit)
    groups, more = _tallied_groups(session, sel, region, limit)
    return _assemble(session, sel, groups, more, _tallied_entries(session, sel), titles)


def counted_idea_map(
    session: Session,
    sel: Selection,
    titles: Mapping[int, IdeaTitles] | None = None,
    *,
    limit: int | None = None,
) -> IdeaMap:
    """`idea_map` counted from the memberships: any selection (a period, statuses, stops,
    several regions but not all), two aggregates over every membership and entry it holds."""
    conditions = sel.submission_conditions()
    rows = session.execute(
        select(
            GROUP_ID,
            IdeaGroup.kind,
            Submission.region_id,
            Submission.organisation,
            func.count(),
        )
        .select_from(IdeaGroupMember)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(*conditions)
        .group_by(
            IdeaGroupMember.group_id, IdeaGroup.kind, Submission.region_id, Submission.organisation
        )
        # Streamed in group order: a group's organisations are counted when it ends, so memory
        # holds one group's names, not every organisation of every group.
        .order_by(IdeaGroupMember.group_id)
        .execution_options(yield_per=5000)
    )
    heard: dict[int, _Heard] = {}
    current: _Heard | None = None
    names: dict[int, set[str]] = defaultdict(set)  # the current group's, by region
    counts: Counter[int] = Counter()  # the current group's entries, by region

    def close(group: _Heard | None) -> None:
        if group is not None:
            for region_id, found in names.items():
                group.by_region[region_id] = (counts[region_id], len(found))
            group.organisations = len(set().union(*names.values()))
            names.clear()
            counts.clear()

    for gid, kind, region_id, organisation, count in rows:
        if current is None or gid not in heard:
            close(current)
            current = heard[gid] = _Heard(kind.value)
        current.items += count
        counts[region_id] += count
        names[region_id].add(fold(organisation))  # compared as the search and the workbook do
    close(current)
    shown = [gid for gid, group in heard.items() if group.items >= MIN_ITEMS]
    order = sorted(
        shown,
        key=lambda gid: (
            -len(heard[gid].by_region),
            -heard[gid].organisations,
            -heard[gid].items,
            gid,
        ),
    )
    more = max(0, len(order) - limit) if limit is not None else 0
    order = order[:limit] if limit is not None else order

    # The nation's rate: every entry of the selection, by region and kind.
    entries: dict[str, Counter[int]] = defaultdict(Counter)
    for kind, region_id, count in session.execute(
        select(FeedbackItem.kind, Submission.region_id, func.count())
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(*conditions)
        .group_by(FeedbackItem.kind, Submission.region_id)
    ):
        entries[kind.value][region_id] += count
    return _assemble(session, sel, [(gid, heard[gid]) for gid in order], more, entries, titles)


def tallied_region(session: Session, sel: Selection) -> int | None:
    """The `IdeaGroupTally` rows that answer for the selection: every region's (EVERY_REGION)
    when it holds every region, that region's when it holds one; None otherwise.

    The tallies and the stops' running counts count every date and every status but spam,
    per region and per stop: a period, a status or a choice of stops needs the rows. So do
    several regions but not all: a group's distinct organisations over them do not add up
    from each region's (one organisation may speak in two)."""
    if not counts_all_time(sel) or sel.stops:
        return None
    if len(sel.regions) == 1:
        return sel.regions[0].id
    if len(sel.regions) == session.scalar(select(func.count()).select_from(Region)):
        return EVERY_REGION
    return None


def _tallied_groups(
    session: Session, sel: Selection, region: int, limit: int | None
) -> tuple[list[tuple[int, _Heard]], int]:
    """The rows' groups in order, and how many more, from the tallies: an ordered read of the
    selection's rows (`region`), then the per-region rows of the groups kept."""
    ranked = (
        select(
            IdeaGroupTally.group_id,
            IdeaGroupTally.kind,
            IdeaGroupTally.items,
            IdeaGroupTally.organisations,
        )
        .where(IdeaGroupTally.region_id == region, IdeaGroupTally.items >= MIN_ITEMS)
        # As counted_idea_map orders: regions heard in, organisations, entries.
        .order_by(
            IdeaGroupTally.regions.desc(),
            IdeaGroupTally.organisations.desc(),
            IdeaGroupTally.items.desc(),
            IdeaGroupTally.group_id,
        )
    )
    more = 0
    if limit is not None:
        shown = session.scalar(
            select(func.count()).where(
                IdeaGroupTally.region_id == region, IdeaGroupTally.items >= MIN_ITEMS
            )
        )
        more = max(0, (shown or 0) - limit)
        ranked = ranked.limit(limit)
    groups = [
        (gid, _Heard(ItemKind(kind).value, items, organisations))
        for gid, kind, items, organisations in session.execute(ranked)
    ]
    heard = dict(groups)
    if region != EVERY_REGION:
        for _gid, group in groups:
            group.by_region[region] = (group.items, group.organisations)
        return groups, more
    cells = select(
        IdeaGroupTally.group_id,
        IdeaGroupTally.region_id,
        IdeaGroupTally.items,
        IdeaGroupTally.organisations,
    ).where(IdeaGroupTally.region_id != EVERY_REGION)
    if len(heard) <= _IN_LIST:
        cells = cells.where(IdeaGroupTally.group_id.in_(sorted(heard)))
    for gid, region_id, items, organisations in session.execute(cells):
        if gid in heard:
            heard[gid].by_region[region_id] = (items, organisations)
    return groups, more


def _tallied_entries(session: Session, sel: Selection) -> dict[str, Counter[int]]:
    """Every entry of the selection by kind and region, from the stops' running counts
    (services/capture/tally.py): a few rows per stop instead of every item."""
    entries: dict[str, Counter[int]] = defaultdict(Counter)
    for region_id, kind, count in session.execute(
        select(TourStop.region_id, StopTally.kind, func.sum(StopTally.count))
        .join(TourStop, TourStop.id == StopTally.stop_id)
        .where(
            TourStop.region_id.in_(sel.region_ids),
            StopTally.kind.in_([kind.value for kind in ItemKind]),
        )
        .group_by(TourStop.region_id, StopTally.kind)
    ):
        if count:
            entries[kind][region_id] += count
    return entries


def _assemble(
    session: Session,
    sel: Selection,
    groups: list[tuple[int, _Heard]],
    more: int,
    entries: Mapping[str, Counter[int]],
    titles: Mapping[int, IdeaTitles] | None,
) -> IdeaMap:
    """The map's rows, in the given order: each region's lift against the nation's rate of
    the group's kind (`entries`: kind -> region id -> the selection's entries)."""
    slugs = {r.id: r.slug for r in sel.regions}
    heard = {kind: sum(1 for n in per_region.values() if n) for kind, per_region in entries.items()}
    if titles is None:
        titles = group_titles(session, sel.scope, {gid: set(g.by_region) for gid, g in groups})
    map_rows = []
    for gid, group in groups:
        per_region = entries.get(group.kind, Counter())
        everywhere = sum(per_region.values()) or 1
        cells: dict[str, MapCell] = {}
        for region_id in sel.region_ids:
            if region_id not in group.by_region:
                continue
            count, found = group.by_region[region_id]
            nation_share = per_region[region_id] / everywhere
            lift = (count / group.items) / nation_share if nation_share else 0.0
            cells[slugs[region_id]] = MapCell(
                items=count,
                organisations=found,
                lift=round(lift, 2),
                marked=lift >= LIFT_MARK and found >= MARK_ORGANISATIONS,
            )
        map_rows.append(
            MapRow(
                number=gid,
                kind=group.kind,
                items=group.items,
                organisations=group.organisations,
                cells=cells,
                reach=reach(len(cells), heard.get(group.kind, 0)),
                titles=titles.get(gid, IdeaTitles()),
            )
        )
    used = {slug for row in map_rows for slug in row.cells}
    return IdeaMap(
        regions=tuple((r.slug, r.name) for r in sel.regions if r.slug in used),
        rows=tuple(map_rows),
        more=more,
    )
