"""National vs regional: where each idea group was heard (the map page and its sheet).

For every group with at least two entries in the selection: per region, its entries and
distinct organisations, and its lift — the region's share of the group's entries divided by
the region's share of all the selection's entries of that kind. A lift of 1 is the national
rate; a region whose lift reaches LIFT_MARK with at least MARK_ORGANISATIONS organisations
says it markedly more than the nation (one organisation repeating itself is not a region).
A group heard in at least half of the regions that spoke (and in two at least) is national;
in one region, that region's own.

Two aggregate queries whatever the number of groups (memberships by group, region and
organisation; entries by region and kind), then the titles of the groups shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import IdeaMap, IdeaTitles, MapCell, MapRow
from feedback_app.models import GROUP_ID, FeedbackItem, IdeaGroup, IdeaGroupMember, Submission, fold
from feedback_app.services.ideas.queries import MIN_ITEMS, group_titles
from feedback_app.services.synthesis.figures import Selection

LIFT_MARK = 2.0
MARK_ORGANISATIONS = 2


def reach(breadth: int, regions_heard: int) -> str:
    """ "national", "several" or "regional" for a group heard in `breadth` of the
    `regions_heard` regions that said anything of its kind."""
    if breadth <= 1:
        return "regional"
    if breadth >= max(2, (regions_heard + 1) // 2):
        return "national"
    return "several"


def idea_map(
    session: Session,
    sel: Selection,
    titles: Mapping[int, IdeaTitles] | None = None,
    *,
    limit: int | None = None,
) -> IdeaMap:
    """The map of the selection, its first `limit` rows (all without one). `titles` (group
    number -> titles) when the caller has them already (the workbook: the "Idées
    récurrentes" rows); otherwise they are read for the reader's scope, for the rows kept."""
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
    kinds: dict[int, str] = {}
    items: Counter[tuple[int, int]] = Counter()
    organisations: dict[tuple[int, int], int] = {}  # distinct, per group and region
    group_organisations: dict[int, int] = {}  # distinct, per group
    group_regions: dict[int, set[int]] = defaultdict(set)
    current: int | None = None
    names: dict[int, set[str]] = defaultdict(set)  # the current group's, by region

    def close(gid: int | None) -> None:
        if gid is not None:
            for region_id, found in names.items():
                organisations[gid, region_id] = len(found)
            group_organisations[gid] = len(set().union(*names.values()))
            names.clear()

    for gid, kind, region_id, organisation, count in rows:
        if gid != current:
            close(current)
            current = gid
        kinds[gid] = kind.value
        items[gid, region_id] += count
        # Compared as the search and the workbook compare them.
        names[region_id].add(fold(organisation))
        group_regions[gid].add(region_id)
    close(current)
    totals: Counter[int] = Counter()
    for (gid, _region), count in items.items():
        totals[gid] += count
    shown = {gid for gid, total in totals.items() if total >= MIN_ITEMS}

    # The nation's rate: every entry of the selection, by region and kind.
    entries: dict[str, Counter[int]] = defaultdict(Counter)
    for kind, region_id, count in session.execute(
        select(FeedbackItem.kind, Submission.region_id, func.count())
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(*conditions)
        .group_by(FeedbackItem.kind, Submission.region_id)
    ):
        entries[kind.value][region_id] += count

    slugs = {r.id: r.slug for r in sel.regions}
    cells: dict[int, dict[str, MapCell]] = defaultdict(dict)
    for (gid, region_id), count in items.items():
        if gid not in shown:
            continue
        per_region = entries[kinds[gid]]
        nation_share = per_region[region_id] / (sum(per_region.values()) or 1)
        lift = (count / totals[gid]) / nation_share if nation_share else 0.0
        found = organisations[gid, region_id]
        cells[gid][slugs[region_id]] = MapCell(
            items=count,
            organisations=found,
            lift=round(lift, 2),
            marked=lift >= LIFT_MARK and found >= MARK_ORGANISATIONS,
        )
    heard = {kind: sum(1 for n in per_region.values() if n) for kind, per_region in entries.items()}
    order = sorted(
        shown,
        key=lambda gid: (-len(cells[gid]), -group_organisations[gid], -totals[gid], gid),
    )
    more = max(0, len(order) - limit) if limit is not None else 0
    order = order[:limit] if limit is not None else order
    if titles is None:
        titles = group_titles(session, sel.scope, {gid: group_regions[gid] for gid in order})
    map_rows = [
        MapRow(
            number=gid,
            kind=kinds[gid],
            items=totals[gid],
            organisations=group_organisations[gid],
            cells=cells[gid],
            reach=reach(len(cells[gid]), heard.get(kinds[gid], 0)),
            titles=titles.get(gid, IdeaTitles()),
        )
        for gid in order
    ]
    used = {slug for row in map_rows for slug in row.cells}
    return IdeaMap(
        regions=tuple((r.slug, r.name) for r in sel.regions if r.slug in used),
        rows=tuple(map_rows),
        more=more,
    )
