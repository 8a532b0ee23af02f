"""What readers see of the idea groups, always within their `Scope` (read-only).

A group counts only its items inside the scope, from submissions that are not spam, and it
is shown only when at least two of them are (`MIN_ITEMS`): from a delegate's side a group made
of one of their items and items of other regions is no group at all, so nothing of the other
regions shows through a count, a number or a quote. The title is the one a person wrote that
the reader may see (services/ideas/titles.py: their region's, else HQ's national one), else the
text of the most typical item within the scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from feedback_app.models import (
    EVERY_REGION,
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupTally,
    ItemKind,
    ReviewStatus,
    Submission,
    fold,
)
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound
from feedback_app.services.ideas.text import short_title
from feedback_app.services.ideas.titles import person_titles

MIN_ITEMS = 2

Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class GroupSummary:
    id: int
    number: int
    title: str
    kind: str
    items: int
    organisations: int
    regions: int
    confirmed: bool = False
    title_locked: bool = False  # the title is one a person wrote (not the automatic one)

    @property
    def weight(self) -> tuple[int, int, int]:
        """Heaviest first: how many organisations said it, then how often, then where."""
        return (self.organisations, self.items, self.regions)


@dataclass(frozen=True)
class GroupMemberRow:
    """An item as the group's page lists it."""

    item_id: int
    submission_id: int
    reference: str
    organisation: str
    text: str


@dataclass(frozen=True)
class GroupDetail:
    summary: GroupSummary
    members: tuple[GroupMemberRow, ...]


def _visible(
    query: Select[*Columns], scope: Scope, *conditions: ColumnElement[bool]
) -> Select[*Columns]:
    """The query's memberships, kept to the items the scope sees outside spam."""
    return (
        query.join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(
            *conditions, Submission.status != ReviewStatus.SPAM, scope.filter(Submission.region_id)
        )
    )


def _members(scope: Scope) -> Select[int, int]:
    """(group id, item id) of grouped items the scope may see."""
    query = select(GROUP_ID, IdeaGroupMember.item_id)
    return _visible(query, scope, IdeaGroupMember.group_id.is_not(None))


def _tallied_region(scope: Scope) -> int | None:
    """The `IdeaGroupTally` rows that answer exactly for this scope: every region's, or one
    region's; None for a scope of several regions (distinct organisations do not add up)."""
    if scope.is_everything:
        return EVERY_REGION
    if scope.region_ids is not None and len(scope.region_ids) == 1:
        return next(iter(scope.region_ids))
    return None


def _summaries(
    session: Session,
    scope: Scope,
    *,
    kind: ItemKind | str | None = None,
    group_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> list[GroupSummary]:
    """The groups the scope sees (of one kind, or among `group_ids`), heaviest first; at most
    `limit` of them."""
    region = _tallied_region(scope)
    if region is None:
        summaries = _counted_summaries(session, scope, kind=kind, group_ids=group_ids)
        return summaries if limit is None else summaries[:limit]
    query = (
        select(
            IdeaGroup.id,
            IdeaGroup.kind,
            IdeaGroup.title,
            IdeaGroup.confirmed,
            IdeaGroupTally.items,
            IdeaGroupTally.organisations,
            IdeaGroupTally.regions,
            FeedbackItem.text,
        )
        .join(IdeaGroupTally, IdeaGroupTally.group_id == IdeaGroup.id)
        .outerjoin(FeedbackItem, FeedbackItem.id == IdeaGroupTally.typical_item_id)
        .where(IdeaGroupTally.region_id == region, IdeaGroupTally.items >= MIN_ITEMS)
        .order_by(
            IdeaGroupTally.organisations.desc(),
            IdeaGroupTally.items.desc(),
            IdeaGroupTally.regions.desc(),
            IdeaGroup.id,
        )
    )
    if kind is not None:
        query = query.where(IdeaGroupTally.kind == ItemKind(kind))
    if group_ids is not None:
        query = query.where(IdeaGroup.id.in_(list(group_ids)))
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    if region == EVERY_REGION:
        written = person_titles(session, {r.id: () for r in rows}, national=True)
    else:
        written = person_titles(session, {r.id: {region} for r in rows})
    return [
        GroupSummary(
            id=gid,
            number=gid,
            title=written.get(gid)
            # The stored automatic title is the whole group's; a region reads its own items'.
            or (title if region == EVERY_REGION or typical is None else short_title(typical)),
            kind=ItemKind(group_kind).value,
            items=items,
            organisations=organisations,
            regions=regions,
            confirmed=confirmed,
            title_locked=gid in written,
        )
        for gid, group_kind, title, confirmed, items, organisations, regions, typical in rows
    ]


def _counted_summaries(
    session: Session,
    scope: Scope,
    *,
    kind: ItemKind | str | None = None,
    group_ids: Sequence[int] | None = None,
) -> list[GroupSummary]:
    """`_summaries` counted from the memberships, for scopes the tallies do not answer."""
    query = _visible(
        select(
            IdeaGroup.id,
            IdeaGroup.kind,
            IdeaGroup.title,
            IdeaGroup.confirmed,
            func.count(FeedbackItem.id),
            func.count(func.distinct(Submission.region_id)),
        ).join(IdeaGroupMember, IdeaGroupMember.group_id == IdeaGroup.id),
        scope,
    )
    query = query.group_by(
        IdeaGroup.id,
        IdeaGroup.kind,
        IdeaGroup.title,
        IdeaGroup.confirmed,
    ).having(func.count(FeedbackItem.id) >= MIN_ITEMS)
    if kind is not None:
        query = query.where(IdeaGroup.kind == ItemKind(kind))
    if group_ids is not None:
        query = query.where(IdeaGroup.id.in_(list(group_ids)))
    rows = session.execute(query).all()
    ids = [r.id for r in rows]
    organisations, seen_regions = _authors(session, scope, ids)
    if scope.is_everything:
        written = person_titles(session, seen_regions, national=True)
    else:
        written = person_titles(session, seen_regions)
    automatic = (
        {}
        if scope.is_everything  # the stored automatic title is the whole group's
        else _scoped_titles(session, scope, [r.id for r in rows if r.id not in written])
    )
    summaries = [
        GroupSummary(
            id=gid,
            number=gid,
            title=written.get(gid) or automatic.get(gid, title),
            kind=ItemKind(group_kind).value,
            items=items,
            organisations=len(organisations[gid]),
            regions=regions,
            confirmed=confirmed,
            title_locked=gid in written,
        )
        for gid, group_kind, title, confirmed, items, regions in rows
    ]
    summaries.sort(key=lambda s: (tuple(-w for w in s.weight), s.id))
    return summaries


def _authors(
    session: Session, scope: Scope, group_ids: list[int]
) -> tuple[dict[int, set[str]], dict[int, set[int]]]:
    """Per group, among its visible items: the distinct organisations, compared as the search
    compares them ("Riad  ATLAS" is "riad Atlas", as the workbook counts them), and the regions
    (which region's title the reader may see). One read of the memberships for both."""
    organisations: dict[int, set[str]] = {gid: set() for gid in group_ids}
    regions: dict[int, set[int]] = {gid: set() for gid in group_ids}
    if not group_ids:
        return organisations, regions
    query = (
        select(GROUP_ID, Submission.organisation, Submission.region_id)
        .select_from(IdeaGroupMember)
        .distinct()
    )
    # Every visible membership rather than an IN list: the pages ask for thousands of groups.
    for gid, organisation, region_id in session.execute(
        _visible(query, scope, IdeaGroupMember.group_id.is_not(None))
    ):
        if gid not in organisations:
            continue
        organisations[gid].add(fold(organisation))
        regions[gid].add(region_id)
    return organisations, regions


def _scoped_titles(session: Session, scope: Scope, group_ids: Iterable[int]) -> dict[int, str]:
    """For a limited scope: each group's most typical item text among the visible items."""
    ids = list(group_ids)
    if not ids:
        return {}
    best: dict[int, tuple[float, str]] = {}
    query = select(GROUP_ID, IdeaGroupMember.closeness, FeedbackItem.text)
    rows = session.execute(_visible(query, scope, IdeaGroupMember.group_id.in_(ids)))
    for gid, closeness, text in rows:
        if gid not in best or closeness > best[gid][0]:
            best[gid] = (closeness, text)
    return {gid: short_title(text) for gid, (_c, text) in best.items()}


def top_groups(
    session: Session, scope: Scope, kind: ItemKind | str | None = None, limit: int = 10
) -> list[GroupSummary]:
    """The most recurring ideas the scope may see (of one kind, or all), heaviest first."""
    return _summaries(session, scope, kind=kind, limit=limit)


def top_groups_by_kind(session: Session, scope: Scope, limit: int) -> dict[str, list[GroupSummary]]:
    """top_groups() of every kind: one index range of the tallies per kind, or, for a scope of
    several regions, one aggregate over the memberships instead of one per kind."""
    if _tallied_region(scope) is not None:
        return {kind.value: _summaries(session, scope, kind=kind, limit=limit) for kind in ItemKind}
    by_kind: dict[str, list[GroupSummary]] = {kind.value: [] for kind in ItemKind}
    for summary in _counted_summaries(session, scope):
        heaviest = by_kind.setdefault(summary.kind, [])
        if len(heaviest) < limit:
            heaviest.append(summary)
    return by_kind


def group_summary(session: Session, scope: Scope, group_id: int) -> GroupSummary:
    found = _summaries(session, scope, group_ids=[group_id])
    if not found:
        raise NotFound(group_id)
    return found[0]


def group_summaries(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, GroupSummary]:
    """Several groups at once (one query), those the scope sees; the others are left out."""
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    return {s.id: s for s in _summaries(session, scope, group_ids=ids)}


def group_detail(session: Session, scope: Scope, group_id: int) -> GroupDetail:
    """A group and its visible items, most typical first; NotFound outside the scope."""
    summary = group_summary(session, scope, group_id)
    query = select(
        FeedbackItem.id,
        Submission.id,
        Submission.reference,
        Submission.organisation,
        FeedbackItem.text,
    ).select_from(IdeaGroupMember)
    rows = session.execute(
        _visible(query, scope, IdeaGroupMember.group_id == group_id).order_by(
            IdeaGroupMember.closeness.desc(), FeedbackItem.id
        )
    )
    return GroupDetail(summary, tuple(GroupMemberRow(*member) for member in rows))


def group_numbers(session: Session, scope: Scope) -> dict[int, int]:
    """item id -> group number, for the items of groups visible in the scope."""
    members = _members(scope).subquery()
    visible = (
        select(members.c.group_id).group_by(members.c.group_id).having(func.count() >= MIN_ITEMS)
    )
    rows = session.execute(
        select(members.c.item_id, members.c.group_id).where(members.c.group_id.in_(visible))
    )
    return {item_id: group_id for item_id, group_id in rows}


def group_item_ids(session: Session, scope: Scope, group_id: int) -> list[int]:
    """The visible item ids of one group (the review list's `group=` filter uses the same)."""
    rows = session.execute(_members(scope).where(IdeaGroupMember.group_id == group_id))
    return [item_id for _gid, item_id in rows]


def groups_item_ids(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, list[int]]:
    """group_item_ids of several groups in one query (groups with no visible item left out)."""
    ids = sorted(set(group_ids))
    found: dict[int, list[int]] = {}
    if ids:
        for group_id, item_id in session.execute(
            _members(scope).where(IdeaGroupMember.group_id.in_(ids))
        ):
            found.setdefault(group_id, []).append(item_id)
    return found


def visible_group_page(
    session: Session,
    scope: Scope,
    *,
    after: int,
    since: dt.datetime | None,
    limit: int,
) -> list[GroupSummary]:
    """The groups the scope sees (as `_summaries` decides), by ascending id after `after`,
    created at or after `since`, at most `limit` (the BI feed's pages)."""
    members = _members(scope).subquery()
    ids = (
        select(members.c.group_id)
        .join(IdeaGroup, IdeaGroup.id == members.c.group_id)
        .where(members.c.group_id > after)
        .group_by(members.c.group_id)
        .having(func.count() >= MIN_ITEMS)
        .order_by(members.c.group_id)
        .limit(limit)
    )
    if since is not None:
        ids = ids.where(IdeaGroup.created_at >= since)
    found = group_summaries(session, scope, session.scalars(ids))
    return [found[gid] for gid in sorted(found)]
