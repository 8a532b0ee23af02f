"""The idea groups as the workbook shows them, counted within the export's selection.

The selection (services/synthesis.Selection) is already limited to the reader's scope and
filters, so a delegate's workbook counts, lists and quotes only their regions' items; a group
is listed only when at least two of the selection's items are in it, and its number appears in
the region sheets' "Groupe" column only then. `stamp` goes into the export's fingerprint so
that a curated group (renamed, merged...) makes a cached workbook stale.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import IdeaGroupRow, IdeaTitles, Quote
from feedback_app.models import (
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Region,
    ReviewStatus,
    Submission,
    fold,
)
from feedback_app.services.ideas.queries import MIN_ITEMS
from feedback_app.services.ideas.quotes import pick_quotes
from feedback_app.services.ideas.text import title_candidate
from feedback_app.services.ideas.titles import groups_version, person_titles
from feedback_app.services.synthesis.figures import Selection


def visible_groups(session: Session, sel: Selection) -> set[int]:
    """Groups with at least two items in the selection."""
    rows = session.execute(
        select(GROUP_ID)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(IdeaGroupMember.group_id.is_not(None), *sel.submission_conditions())
        .group_by(IdeaGroupMember.group_id)
        .having(func.count() >= MIN_ITEMS)
    )
    return {gid for (gid,) in rows}


def idea_rows(session: Session, sel: Selection) -> tuple[IdeaGroupRow, ...]:
    """One row per group visible in the selection, heaviest first (organisations, items)."""
    visible = visible_groups(session, sel)
    if not visible:
        return ()
    groups = {g.id: g for g in session.scalars(select(IdeaGroup).where(IdeaGroup.id.in_(visible)))}
    region_names = dict(session.execute(select(Region.id, Region.slug)).all())
    shown = {r.id: r.name for r in sel.regions}
    items: Counter[int] = Counter()
    organisations: dict[int, int] = {}  # distinct organisations, counted when a group ends
    categories: dict[int, Counter[str]] = defaultdict(Counter)
    regions: dict[int, Counter[str]] = defaultdict(Counter)
    themes: dict[int, Counter[str]] = defaultdict(Counter)
    quotes: dict[int, tuple[Quote, ...]] = {}
    automatic: dict[int, dict[str, str]] = defaultdict(dict)
    seen_regions: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(
            GROUP_ID,
            IdeaGroupMember.closeness,
            FeedbackItem.text,
            FeedbackItem.theme_id,
            Submission.organisation,
            Submission.category_code,
            Submission.region_id,
            Submission.status,
        )
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(IdeaGroupMember.group_id.in_(visible), *sel.submission_conditions())
        .order_by(IdeaGroupMember.group_id, IdeaGroupMember.closeness.desc(), FeedbackItem.id)
        # Streamed, and a group's members (they come together) let go when the next group
        # starts: memory holds the largest group, not every member of every group.
        .execution_options(yield_per=2000)
    )
    current: int | None = None
    group_organisations: set[str] = set()
    candidates: list[tuple[str, str]] = []

    def close(gid: int | None) -> None:
        if gid is not None:
            organisations[gid] = len(group_organisations)
            quotes[gid] = pick_quotes(candidates)
            group_organisations.clear()
            candidates.clear()

    for gid, _closeness, text, theme_id, organisation, category, region_id, status in rows:
        if gid != current:
            close(current)
            current = gid
        items[gid] += 1
        # Organisations compared as the search compares them.
        group_organisations.add(fold(organisation))
        categories[gid][sel.category_labels.get(category, category)] += 1
        regions[gid][shown.get(region_id, region_names.get(region_id, ""))] += 1
        seen_regions[gid].add(region_id)
        if theme_id is not None:
            themes[gid][sel.theme_labels.get(theme_id, "")] += 1
        # Most central first: each language's first text titles the group in that language.
        if len(automatic[gid]) < 2 and (candidate := title_candidate(text)):
            automatic[gid].setdefault(*candidate)
        if status == ReviewStatus.REVIEWED:  # quotes: reviewed entries only
            candidates.append((text, organisation))
    close(current)

    def ranked(counter: Counter[str]) -> tuple[str, ...]:
        return tuple(label for label, _n in counter.most_common() if label)

    # A title a person wrote for the selection's regions (services/ideas/titles.py); otherwise
    # the most typical item of the selection, so nothing outside the reader's scope is quoted.
    national = sel.scope.is_everything and not sel.filters.region_slugs
    written = person_titles(session, seen_regions, national=national)
    result = []
    for gid in visible:
        group = groups[gid]
        found = automatic[gid]
        titles = IdeaTitles(
            written=written.get(gid, ""),
            fr=found.get("fr", ""),
            ar=found.get("ar", ""),
        )
        result.append(
            IdeaGroupRow(
                number=gid,
                title=titles.shown(sel.language) or titles.other(sel.language),
                kind=ItemKind(group.kind).value,
                items=items[gid],
                organisations=organisations.get(gid, 0),
                categories=ranked(categories[gid]),
                regions=ranked(regions[gid]),
                themes=ranked(themes[gid]),
                quotes=quotes.get(gid, ()),
                titles=titles,
            )
        )
    result.sort(key=lambda r: (-r.organisations, -r.items, r.number))
    return tuple(result)


def stamp(session: Session) -> list[object]:
    """What changes when the groups change (a regrouping or a person's decision)."""
    curated = session.execute(
        select(
            func.max(IdeaGroup.updated_at),
            func.count(IdeaGroup.id),
            func.count(IdeaGroupMember.item_id),
        )
        .select_from(IdeaGroup)
        .outerjoin(IdeaGroupMember, IdeaGroupMember.group_id == IdeaGroup.id)
    ).one()
    return [*groups_version(session), *(str(v) for v in curated)]
