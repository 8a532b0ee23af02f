"""What readers see of the idea groups, always within their `Scope` (read-only).

A group counts only its items inside the scope, from submissions that are not spam, and it
is shown only when at least two of them are (`MIN_ITEMS`): from a delegate's side a group made
of one of their items and items of other regions is no group at all, so nothing of the other
regions shows through a count, a number or a quote. The title is the one a person wrote that
the reader may see (services/ideas/titles.py: their region's, else HQ's national one), else the
text of the most typical item within the scope.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import IdeaTitles, Quote
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
from feedback_app.services.ideas.quotes import pick_quotes
from feedback_app.services.ideas.text import title_candidate
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
    # Both automatic titles and the person's title (`title` is the one the reader reads).
    titles: IdeaTitles = field(default_factory=IdeaTitles)

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
    quotes: tuple[Quote, ...] = ()


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


def _summaries(
    session: Session,
    scope: Scope,
    *,
    kind: ItemKind | str | None = None,
    group_ids: Sequence[int] | None = None,
    per_kind: int | None = None,
    language: str = "fr",
) -> list[GroupSummary]:
    """The groups the scope sees, heaviest first (at most `per_kind` of each kind), titled for
    a reader of `language`: a person's title, else the most central member's text in the
    reader's language (services/ideas/titles.py, exports/data.IdeaTitles)."""
    query = _visible(
        select(
            IdeaGroup.id,
            IdeaGroup.kind,
            IdeaGroup.confirmed,
            func.count(FeedbackItem.id),
            func.count(func.distinct(Submission.region_id)),
        ).join(IdeaGroupMember, IdeaGroupMember.group_id == IdeaGroup.id),
        scope,
    )
    query = query.group_by(
        IdeaGroup.id,
        IdeaGroup.kind,
        IdeaGroup.confirmed,
    ).having(func.count(FeedbackItem.id) >= MIN_ITEMS)
    if kind is not None:
        query = query.where(IdeaGroup.kind == ItemKind(kind))
    if group_ids is not None:
        query = query.where(IdeaGroup.id.in_(list(group_ids)))
    rows = session.execute(query).all()
    ids = [r.id for r in rows]
    organisations, seen_regions = _authors(session, scope, ids)
    summaries = [
        GroupSummary(
            id=gid,
            number=gid,
            title="",
            kind=ItemKind(group_kind).value,
            items=items,
            organisations=len(organisations[gid]),
            regions=regions,
            confirmed=confirmed,
        )
        for gid, group_kind, confirmed, items, regions in rows
    ]
    summaries.sort(key=lambda s: (tuple(-w for w in s.weight), s.id))
    if per_kind is not None:
        taken: dict[str, int] = {}
        kept = []
        for summary in summaries:
            if taken.get(summary.kind, 0) < per_kind:
                taken[summary.kind] = taken.get(summary.kind, 0) + 1
                kept.append(summary)
        summaries = kept
    # Titles only for the groups shown: the automatic ones read the members' texts.
    found = group_titles(session, scope, {s.id: seen_regions[s.id] for s in summaries})
    titled = []
    for summary in summaries:
        titles = found[summary.id]
        titled.append(
            replace(
                summary,
                title=titles.shown(language) or titles.other(language),
                title_locked=bool(titles.written),
                titles=titles,
            )
        )
    return titled


def group_titles(
    session: Session, scope: Scope, seen: Mapping[int, Collection[int]]
) -> dict[int, IdeaTitles]:
    """The titles of the groups in `seen` (group id -> the regions of the items the reader
    sees in it) for a reader of `scope`: the person's title they may see, and the automatic
    titles from the items they see."""
    written = person_titles(session, seen, national=scope.is_everything)
    automatic = automatic_titles(session, scope, list(seen))
    titles = {}
    for gid in seen:
        fr, ar = automatic.get(gid, ("", ""))
        titles[gid] = IdeaTitles(written=written.get(gid, ""), fr=fr, ar=ar)
    return titles


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


# Arabic letters (U+0600-U+06FF), as each database matches them: candidates for an Arabic
# title are looked for among the texts holding some, for a French one among the others.
_ARABIC_RANGE = "[\u0600-\u06ff]"
TITLE_CANDIDATES = 10  # per group and script: the most central texts, enough to skip contacts


def _has_arabic(session: Session) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return FeedbackItem.text.op("~")(_ARABIC_RANGE)
    return FeedbackItem.text.op("GLOB")(f"*{_ARABIC_RANGE}*")


def automatic_titles(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[str, str]]:
    """group id -> (French, Arabic) automatic title, each the most central member of that
    language among the items the scope sees ("" when none is written in it): a region's reader
    never reads another region's words, and the French title is never an Arabic text.

    Only the TITLE_CANDIDATES most central texts of each group and script are read (a window
    function), not every member: the heaviest groups, the ones the dashboard titles, hold
    thousands."""
    ids = list(group_ids)
    if not ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    wanted = set(ids)
    # Thousands of groups (the map of a big tour): every visible membership rather than an
    # IN list that long.
    which = (
        IdeaGroupMember.group_id.in_(ids)
        if len(ids) <= 500
        else IdeaGroupMember.group_id.is_not(None)
    )
    arabic = _has_arabic(session)
    rank = (
        func.row_number()
        .over(
            partition_by=(IdeaGroupMember.group_id, arabic),
            order_by=(IdeaGroupMember.closeness.desc(), FeedbackItem.id),
        )
        .label("rank")
    )
    ranked = _visible(
        select(
            GROUP_ID.label("group_id"),
            FeedbackItem.text,
            IdeaGroupMember.closeness,
            arabic.label("arabic"),
            rank,
        ).select_from(IdeaGroupMember),
        scope,
        which,
    ).subquery()
    rows = session.execute(
        select(ranked.c.group_id, ranked.c.text, ranked.c.arabic)
        .where(ranked.c.rank <= TITLE_CANDIDATES)
        .order_by(ranked.c.group_id, ranked.c.closeness.desc(), ranked.c.rank)
    )
    for gid, text, has_arabic in rows:
        if gid not in wanted:
            continue
        per_language = found.setdefault(gid, {})
        # A text without Arabic letters is French: once a French title is found, skip the
        # other French candidates without examining them (the costly part on big groups).
        if len(per_language) == 2 or (not has_arabic and "fr" in per_language):
            continue
        if candidate := title_candidate(text):
            per_language.setdefault(*candidate)
    return {gid: (t.get("fr", ""), t.get("ar", "")) for gid, t in found.items()}


def top_groups(
    session: Session,
    scope: Scope,
    kind: ItemKind | str | None = None,
    limit: int = 10,
    *,
    language: str = "fr",
) -> list[GroupSummary]:
    """The most recurring ideas the scope may see (of one kind, or all), heaviest first."""
    if kind is None:
        heaviest = _summaries(session, scope, language=language)
    else:
        heaviest = _summaries(session, scope, kind=kind, per_kind=limit, language=language)
    return heaviest[:limit]


def top_groups_by_kind(
    session: Session, scope: Scope, limit: int, *, language: str = "fr"
) -> dict[str, list[GroupSummary]]:
    """top_groups() of every kind, from one aggregate over the memberships instead of one per
    kind (the aggregate reads every visible membership: measured at 200,000 submissions, it
    is most of the dashboard's and the ideas page's time)."""
    by_kind: dict[str, list[GroupSummary]] = {kind.value: [] for kind in ItemKind}
    for summary in _summaries(session, scope, per_kind=limit, language=language):
        by_kind.setdefault(summary.kind, []).append(summary)
    return by_kind


def group_summary(
    session: Session, scope: Scope, group_id: int, *, language: str = "fr"
) -> GroupSummary:
    found = _summaries(session, scope, group_ids=[group_id], language=language)
    if not found:
        raise NotFound(group_id)
    return found[0]


def group_summaries(
    session: Session, scope: Scope, group_ids: Iterable[int], *, language: str = "fr"
) -> dict[int, GroupSummary]:
    """Several groups at once (one query), those the scope sees; the others are left out."""
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    return {s.id: s for s in _summaries(session, scope, group_ids=ids, language=language)}


def group_detail(
    session: Session, scope: Scope, group_id: int, *, language: str = "fr"
) -> GroupDetail:
    """A group and its visible items, most typical first; NotFound outside the scope."""
    summary = group_summary(session, scope, group_id, language=language)
    query = select(
        FeedbackItem.id,
        Submission.id,
        Submission.reference,
        Submission.organisation,
        FeedbackItem.text,
        Submission.status,
    ).select_from(IdeaGroupMember)
    rows = session.execute(
        _visible(query, scope, IdeaGroupMember.group_id == group_id).order_by(
            IdeaGroupMember.closeness.desc(), FeedbackItem.id
        )
    ).all()
    quotes = pick_quotes(
        (text, organisation)
        for _i, _s, _r, organisation, text, status in rows
        if status == ReviewStatus.REVIEWED
    )
    members = tuple(GroupMemberRow(*row[:5]) for row in rows)
    return GroupDetail(summary, members, quotes)


def group_quotes(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[Quote, ...]]:
    """Each group's quotes (services/ideas/quotes.py) among the reviewed entries the scope sees."""
    ids = list(group_ids)
    if not ids:
        return {}
    query = select(GROUP_ID, FeedbackItem.text, Submission.organisation).select_from(
        IdeaGroupMember
    )
    rows = session.execute(
        _visible(
            query,
            scope,
            IdeaGroupMember.group_id.in_(ids),
            Submission.status == ReviewStatus.REVIEWED,
        ).order_by(IdeaGroupMember.group_id, IdeaGroupMember.closeness.desc(), FeedbackItem.id)
    )
    candidates: dict[int, list[tuple[str, str]]] = {}
    for gid, text, organisation in rows:
        candidates.setdefault(gid, []).append((text, organisation))
    return {gid: pick_quotes(found) for gid, found in candidates.items()}


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
