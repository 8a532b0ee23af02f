"""What readers see of the idea groups, always within their `Scope` (read-only).

A group counts only its items inside the scope, from submissions that are not spam, and it
is shown only when at least two of them are (`MIN_ITEMS`): from a delegate's side a group made
of one of their items and items of other regions is no group at all, so nothing of the other
regions shows through a count, a number or a quote. The title is the one a person wrote that
the reader may see (services/ideas/titles.py: their region's, else HQ's national one), else the
text of the most typical item within the scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from feedback_app.models import (
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
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


# What the sibling modules (neighbours.py, history.py) restrict their own reads with.
visible_memberships = _visible


def _members(scope: Scope) -> Select[int, int]:
    """(group id, item id) of grouped items the scope may see."""
    query = select(GROUP_ID, IdeaGroupMember.item_id)
    return _visible(query, scope, IdeaGroupMember.group_id.is_not(None))


def _summaries(
    session: Session,
    scope: Scope,
    *,
    kind: ItemKind | str | None = None,
    group_ids: Sequence[int] | None = None,
) -> list[GroupSummary]:
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
    return _summaries(session, scope, kind=kind)[:limit]


def top_groups_by_kind(session: Session, scope: Scope, limit: int) -> dict[str, list[GroupSummary]]:
    """top_groups() of every kind, from one aggregate over the memberships instead of one per
    kind (the aggregate reads every visible membership: measured at 200,000 submissions, it
    is most of the dashboard's and the ideas page's time)."""
    by_kind: dict[str, list[GroupSummary]] = {kind.value: [] for kind in ItemKind}
    for summary in _summaries(session, scope):
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
