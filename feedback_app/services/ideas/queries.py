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
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVarTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from feedback_app.exports.data import IdeaTitles, Quote
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
from feedback_app.services.ideas.quotes import pick_quotes
from feedback_app.services.ideas.text import TITLE_CANDIDATES, AutomaticTitles
from feedback_app.services.ideas.titles import person_titles
from feedback_app.services.ids import parse_id

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


def tallied_region(scope: Scope) -> int | None:
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
    per_kind: int | None = None,
    limit: int | None = None,
    language: str = "fr",
) -> list[GroupSummary]:
    """The groups the scope sees, heaviest first (at most `per_kind` of each kind, `limit` in
    all), titled for
    a reader of `language`: a person's title, else the most central member's text in the
    reader's language (services/ideas/titles.py, exports/data.IdeaTitles). Counted by the
    tallies when they answer for the scope (services/ideas/tallies.py), else from the rows."""
    region = tallied_region(scope)
    if region is None:
        summaries, seen_regions = _counted_summaries(
            session, scope, kind=kind, group_ids=group_ids, per_kind=per_kind
        )
    else:
        kinds = [ItemKind(kind)] if kind is not None else list(ItemKind)
        summaries = []
        for one_kind in kinds if per_kind is not None else [kind]:
            summaries += _tallied_summaries(
                session, region, kind=one_kind, group_ids=group_ids, limit=per_kind or limit
            )
        seen: Collection[int] = () if region == EVERY_REGION else (region,)
        seen_regions = {s.id: seen for s in summaries}
    summaries = summaries[:limit]
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


def _tallied_summaries(
    session: Session,
    region: int,
    *,
    kind: ItemKind | str | None,
    group_ids: Sequence[int] | None,
    limit: int | None,
) -> list[GroupSummary]:
    """Untitled summaries from one region's (or the nation's) tally rows: an index range."""
    query = (
        select(
            IdeaGroup.id,
            IdeaGroup.kind,
            IdeaGroup.confirmed,
            IdeaGroupTally.items,
            IdeaGroupTally.organisations,
            IdeaGroupTally.regions,
        )
        .join(IdeaGroupTally, IdeaGroupTally.group_id == IdeaGroup.id)
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
    return [
        GroupSummary(
            id=gid,
            number=gid,
            title="",
            kind=ItemKind(group_kind).value,
            items=items,
            organisations=organisations,
            regions=regions,
            confirmed=confirmed,
        )
        for gid, group_kind, confirmed, items, organisations, regions in session.execute(query)
    ]


def _counted_summaries(
    session: Session,
    scope: Scope,
    *,
    kind: ItemKind | str | None = None,
    group_ids: Sequence[int] | None = None,
    per_kind: int | None = None,
) -> tuple[list[GroupSummary], Mapping[int, Collection[int]]]:
    """Untitled summaries counted from the memberships, for scopes the tallies do not answer
    (several regions), with the regions each group's visible items come from."""
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
    return summaries, seen_regions


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
    # Every visible membership rather than an IN list when the pages ask for thousands of
    # groups; a group's own page reads its own members only.
    which = (
        IdeaGroupMember.group_id.in_(group_ids)
        if len(group_ids) <= _IN_LIST
        else IdeaGroupMember.group_id.is_not(None)
    )
    for gid, organisation, region_id in session.execute(_visible(query, scope, which)):
        if gid not in organisations:
            continue
        organisations[gid].add(fold(organisation))
        regions[gid].add(region_id)
    return organisations, regions


# Arabic letters (U+0600-U+06FF), as each database matches them: candidates for an Arabic
# title are looked for among the texts holding some, for a French one among the others.
_ARABIC_RANGE = "[\u0600-\u06ff]"
# Above this many groups, a read of every visible membership rather than an IN list that long.
_IN_LIST = 500


def _has_arabic(session: Session) -> ColumnElement[bool]:
    return arabic_of(FeedbackItem.text, session)


def arabic_of(
    text: ColumnElement[str] | InstrumentedAttribute[str], session: Session
) -> ColumnElement[bool]:
    """Whether the text holds an Arabic letter."""
    if session.get_bind().dialect.name == "postgresql":
        return text.op("~")(_ARABIC_RANGE)
    return text.op("GLOB")(f"*{_ARABIC_RANGE}*")


def _central_texts_ranked(
    session: Session, scope: Scope, ids: list[int], arabic: ColumnElement[bool]
) -> Iterable[tuple[int, str, bool]]:
    """(group id, text, Arabic?) of the TITLE_CANDIDATES most central visible members of each
    group, most central first: a window function over every visible member (SQLite, whose
    groups are small and which has no LATERAL)."""
    # Thousands of groups (the map of a big tour): every visible membership rather than an
    # IN list that long.
    which = (
        IdeaGroupMember.group_id.in_(ids)
        if len(ids) <= _IN_LIST
        else IdeaGroupMember.group_id.is_not(None)
    )
    rank = (
        func.row_number()
        .over(
            partition_by=IdeaGroupMember.group_id,
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
    return session.execute(
        select(ranked.c.group_id, ranked.c.text, ranked.c.arabic)
        .where(ranked.c.rank <= TITLE_CANDIDATES)
        .order_by(ranked.c.group_id, ranked.c.rank)
    )


def _central_texts_per_group(
    session: Session, scope: Scope, ids: list[int], arabic: ColumnElement[bool]
) -> Iterable[tuple[int, str, bool]]:
    """The same rows as _central_texts_ranked (PostgreSQL): per group, a LATERAL read down
    the (group_id, closeness DESC, item_id) index that stops after TITLE_CANDIDATES visible
    members. The window function read and sorted every member of the shown groups, and the
    heaviest ones, the ones the dashboard titles, hold 100,000 at a million submissions (4 s
    per page)."""
    shown = select(IdeaGroup.id.label("gid")).where(IdeaGroup.id.in_(ids)).subquery()
    central = (
        _visible(
            select(
                FeedbackItem.text, IdeaGroupMember.closeness, FeedbackItem.id.label("item_id")
            ).select_from(IdeaGroupMember),
            scope,
            IdeaGroupMember.group_id == shown.c.gid,
        )
        .order_by(IdeaGroupMember.closeness.desc(), FeedbackItem.id)
        .limit(TITLE_CANDIDATES)
        .lateral()
    )
    return session.execute(
        select(shown.c.gid, central.c.text, arabic_of(central.c.text, session))
        .select_from(shown.join(central, true()))
        .order_by(shown.c.gid, central.c.closeness.desc(), central.c.item_id)
    )


def automatic_titles(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[str, str]]:
    """group id -> (French, Arabic) automatic title, each the most central member of that
    language among the items the scope sees ("" when none is written in it): a region's reader
    never reads another region's words, and the French title is never an Arabic text.

    A reader of one region or of every region reads them from the groups' tallies, where they
    were chosen among that region's items by the same rule (services/ideas/tallies.py); a
    scope of several regions counts them (`counted_automatic_titles`)."""
    region = tallied_region(scope)
    if region is None:
        return counted_automatic_titles(session, scope, group_ids)
    return {
        gid: (fr, ar)
        for gid, fr, ar in _tally_rows(
            session,
            region,
            group_ids,
            IdeaGroupTally.title_fr,
            IdeaGroupTally.title_ar,
        )
    }


def _tally_rows(
    session: Session,
    region: int,
    group_ids: Iterable[int],
    *columns: InstrumentedAttribute[Any],
) -> list[tuple[Any, ...]]:
    """(group id, *columns) of these groups' tally rows for one region (or every region)."""
    ids = set(group_ids)
    if not ids:
        return []
    query = select(IdeaGroupTally.group_id, *columns).where(IdeaGroupTally.region_id == region)
    if len(ids) <= _IN_LIST:
        query = query.where(IdeaGroupTally.group_id.in_(sorted(ids)))
    return [tuple(row) for row in session.execute(query) if row[0] in ids]


def counted_automatic_titles(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[str, str]]:
    """automatic_titles() from the rows: only the TITLE_CANDIDATES most central visible
    members of each group are read, not every member (the heaviest groups hold thousands)."""
    ids = list(group_ids)
    if not ids:
        return {}
    found: dict[int, AutomaticTitles] = {}
    wanted = set(ids)
    arabic = _has_arabic(session)
    rows: Iterable[tuple[int, str, bool]]
    if session.get_bind().dialect.name == "postgresql":
        rows = _central_texts_per_group(session, scope, ids, arabic)
    else:
        rows = _central_texts_ranked(session, scope, ids, arabic)
    for gid, text, has_arabic in rows:
        if gid in wanted:
            found.setdefault(gid, AutomaticTitles()).offer(text, bool(has_arabic))
    return {gid: titles.titles for gid, titles in found.items()}


def top_groups(
    session: Session,
    scope: Scope,
    kind: ItemKind | str | None = None,
    limit: int = 10,
    *,
    language: str = "fr",
) -> list[GroupSummary]:
    """The most recurring ideas the scope may see (of one kind, or all), heaviest first."""
    return _summaries(session, scope, kind=kind, limit=limit, language=language)


def top_groups_by_kind(
    session: Session, scope: Scope, limit: int, *, language: str = "fr"
) -> dict[str, list[GroupSummary]]:
    """top_groups() of every kind: one index range of the tallies per kind, or, for a scope of
    several regions, one aggregate over the memberships instead of one per kind."""
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


# A group's page lists this many of its members at a time: the heaviest groups hold 170,000
# entries at a million submissions.
MEMBERS_PER_PAGE = 50


@dataclass(frozen=True)
class MemberCursor:
    """A position in a group's members as its page ranks them: most central first, then by item
    (ix_idea_group_members_central)."""

    closeness: float
    item_id: int

    def encode(self) -> str:
        # repr() gives back the exact stored double, so the next page starts right after it.
        return f"{self.closeness!r}_{self.item_id}"

    @classmethod
    def decode(cls, token: str | None) -> MemberCursor | None:
        """The cursor of an `?after=`/`?before=` value; None for anything malformed."""
        number, _sep, item = (token or "").rpartition("_")
        item_id = parse_id(item)
        if item_id is None or not number or len(number) > 32 or not number.isascii():
            return None
        try:
            closeness = float(number)
        except ValueError:
            return None
        return cls(closeness, item_id) if math.isfinite(closeness) else None


@dataclass(frozen=True)
class MemberPage:
    """One page of a group's visible members, with where the pages around it start."""

    members: tuple[GroupMemberRow, ...]
    number: int  # 1 for the first page
    pages: int
    later: MemberCursor | None = None  # the next page: ?after=later
    earlier: MemberCursor | None = None  # the previous page: ?before=earlier


@dataclass(frozen=True)
class GroupDetail:
    summary: GroupSummary
    page: MemberPage
    quotes: tuple[Quote, ...] = ()

    @property
    def members(self) -> tuple[GroupMemberRow, ...]:
        """The members on the page shown."""
        return self.page.members


def _written_limit(count: int) -> BindParameter[int]:
    """A LIMIT written into the SQL, not bound: a statement psycopg prepares may be planned once
    for every value, and a LIMIT the planner cannot see reads as a tenth of the table
    (services/review/queries.py `_rows` measured it)."""
    return literal(count, Integer, literal_execute=True)


def _member_rows(
    session: Session,
    scope: Scope,
    group_id: int,
    *,
    after: MemberCursor | None = None,
    before: MemberCursor | None = None,
    backwards: bool = False,
    limit: int,
) -> list[tuple[GroupMemberRow, float]]:
    """Up to `limit` visible members (with their closeness) after `after`, or before `before`
    (the nearest first; `backwards` without `before`: from the last), down
    ix_idea_group_members_central: a page of a group of 170,000 reads a page of the index,
    not the group. The plain bound on closeness lets the index start at the cursor; the OR
    alone would be a filter over every member before it."""
    query = _visible(
        select(
            FeedbackItem.id,
            Submission.id,
            Submission.reference,
            Submission.organisation,
            FeedbackItem.text,
            IdeaGroupMember.closeness,
        ).select_from(IdeaGroupMember),
        scope,
        IdeaGroupMember.group_id == group_id,
    )
    closeness, item_id = IdeaGroupMember.closeness, IdeaGroupMember.item_id
    if backwards or before is not None:
        if before is not None:
            query = query.where(
                closeness >= before.closeness,
                or_(
                    closeness > before.closeness,
                    and_(closeness == before.closeness, item_id < before.item_id),
                ),
            )
        query = query.order_by(closeness.asc(), item_id.desc())
    else:
        if after is not None:
            query = query.where(
                closeness <= after.closeness,
                or_(
                    closeness < after.closeness,
                    and_(closeness == after.closeness, item_id > after.item_id),
                ),
            )
        query = query.order_by(closeness.desc(), item_id)
    return [
        (GroupMemberRow(*row[:5]), row[5])
        for row in session.execute(query.limit(_written_limit(limit)))
    ]


def member_page(
    session: Session,
    scope: Scope,
    summary: GroupSummary,
    *,
    after: MemberCursor | None = None,
    before: MemberCursor | None = None,
    number: int = 1,
    last: bool = False,
    per_page: int = MEMBERS_PER_PAGE,
) -> MemberPage:
    """The page of the group's visible members after `after`, before `before`, the `last`
    page, or the first. `number` is the page's number as the link that led here carries it:
    a keyset page does not know its position without counting what comes before it, so it is
    only kept between 1 and the count the summary gives (the tallies'), and the first and last
    pages are always numbered so. A cursor past either end (the members moved since, or a link
    made up) shows the first page."""
    pages = max(1, math.ceil(summary.items / per_page))
    backwards = before is not None or last
    # The last page holds what the pages before it leave, so that going back from it meets
    # the pages counted from the first.
    size = summary.items - (pages - 1) * per_page if last and before is None else per_page
    size = min(max(size, 1), per_page)
    rows = _member_rows(
        session,
        scope,
        summary.id,
        after=None if backwards else after,
        before=before,
        backwards=backwards,
        limit=size + 1,
    )
    more = len(rows) > size
    rows = rows[:size]
    if not rows and (after is not None or before is not None):
        return member_page(session, scope, summary, per_page=per_page)
    if backwards:
        rows.reverse()
    first = MemberCursor(rows[0][1], rows[0][0].item_id) if rows else None
    final = MemberCursor(rows[-1][1], rows[-1][0].item_id) if rows else None
    if backwards:
        earlier, later = (first if more else None), (None if before is None else final)
    else:
        earlier, later = (first if after is not None else None), (final if more else None)
    if earlier is None:
        number = 1
    elif later is None:
        number = pages
    else:
        number = min(max(number, 2), max(pages - 1, 2))
    return MemberPage(
        members=tuple(row for row, _closeness in rows),
        number=number,
        # Never fewer pages than the links lead to, whatever the kept count says.
        pages=max(pages, number + (later is not None)),
        later=later,
        earlier=earlier,
    )


def group_detail(
    session: Session,
    scope: Scope,
    group_id: int,
    *,
    language: str = "fr",
    after: MemberCursor | None = None,
    before: MemberCursor | None = None,
    number: int = 1,
    last: bool = False,
    per_page: int = MEMBERS_PER_PAGE,
) -> GroupDetail:
    """A group, its quotes and one page of its visible items, most typical first (`member_page`);
    NotFound outside the scope. The counts, titles and quotes are the kept ones (the tallies,
    for a reader of one region or of all): none of them reads the members."""
    summary = group_summary(session, scope, group_id, language=language)
    page = member_page(
        session,
        scope,
        summary,
        after=after,
        before=before,
        number=number,
        last=last,
        per_page=per_page,
    )
    quotes = group_quotes(session, scope, [group_id]).get(group_id, ())
    return GroupDetail(summary, page, quotes)


def group_quotes(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[Quote, ...]]:
    """Each group's quotes (services/ideas/quotes.py) among the reviewed entries the scope
    sees (groups without any left out): from the groups' tallies for a reader of one region
    or of every region (services/ideas/tallies.py), else counted (`counted_group_quotes`)."""
    region = tallied_region(scope)
    if region is None:
        return counted_group_quotes(session, scope, group_ids)
    return {
        gid: tuple(Quote(text, language) for text, language in quotes)
        for gid, quotes in _tally_rows(session, region, group_ids, IdeaGroupTally.quotes)
        if quotes
    }


def counted_group_quotes(
    session: Session, scope: Scope, group_ids: Iterable[int]
) -> dict[int, tuple[Quote, ...]]:
    """group_quotes() from the rows: every reviewed entry the scope sees in these groups."""
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
    found = {gid: pick_quotes(entries) for gid, entries in candidates.items()}
    return {gid: quotes for gid, quotes in found.items() if quotes}


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
