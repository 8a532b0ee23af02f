"""What the review desk reads: the filtered, searched, seek-paginated list and its counts.

Read-only. Every query is limited by the caller's `Scope` in SQL. The list pages on
(created_at, id) instead of OFFSET, so page 2,000 costs what page 1 costs; item-level filters are
EXISTS subqueries; the page's items and note counts come in one query each, never one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVarTuple

from sqlalchemy import Integer, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from feedback_app.models import (
    FeedbackItem,
    ItemKind,
    Region,
    ReviewNote,
    ReviewStatus,
    StopTally,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
)
from feedback_app.models.tally import NEW
from feedback_app.models.types import as_utc
from feedback_app.services.access import Scope
from feedback_app.services.ids import parse_id
from feedback_app.services.review.filters import ReviewFilters, filter_conditions

PAGE_SIZE = 50
EXCERPT = 280  # characters of each item shown in the list
COUNT_CAP = 1000  # results counted exactly up to here; beyond, the list says "more than"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_Row = TypeVarTuple("_Row")


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first list: the (created_at, id) of a row."""

    created_at: dt.datetime
    id: int

    @classmethod
    def of(cls, created_at: dt.datetime, row_id: int) -> Cursor:
        return cls(as_utc(created_at), row_id)

    def encode(self) -> str:
        return f"{(self.created_at - _EPOCH) // _MICROSECOND}.{self.id}"

    @classmethod
    def decode(cls, token: str | None) -> Cursor | None:
        """The cursor of a `?after=`/`?before=` value; None for anything malformed."""
        micros, _sep, row_id = (token or "").partition(".")
        number = parse_id(row_id)
        if not (micros.isascii() and micros.isdigit()) or number is None or len(micros) > 17:
            return None
        return cls(_EPOCH + int(micros) * _MICROSECOND, number)


@dataclass(frozen=True)
class ItemRow:
    id: int
    position: int
    kind: ItemKind
    excerpt: str
    truncated: bool
    theme_id: int | None
    shortlisted: bool


@dataclass
class SubmissionRow:
    id: int
    reference: str
    organisation: str
    category_code: str
    region_id: int
    stop_id: int
    status: ReviewStatus
    created_at: dt.datetime
    late: bool
    source: SubmissionSource
    after_signoff: bool
    items: list[ItemRow] = field(default_factory=list)
    notes: int = 0


@dataclass(frozen=True)
class Page:
    rows: list[SubmissionRow]
    older: Cursor | None  # continue with ?after=older
    newer: Cursor | None  # go back with ?before=newer


@dataclass(frozen=True)
class RegionCount:
    region: Region
    count: int


def _rows(count: int) -> BindParameter[int]:
    """A LIMIT written into the SQL, not bound. psycopg prepares a statement run five times on a
    connection, and PostgreSQL may then keep one plan for every value: planned for a LIMIT it
    cannot see, it assumes a tenth of the table is wanted and hashes every matching item of an
    item filter (measured with plan_cache_mode = force_generic_plan at 100,000 submissions, HQ
    without a theme: 0.4 ms planned for 51 rows, 247 ms for an unknown LIMIT)."""
    return literal(count, Integer, literal_execute=True)


def _newer_than(query: Select[*_Row], cursor: Cursor) -> Select[*_Row]:
    """The rows newer than `cursor`, the nearest first."""
    key = tuple_(Submission.created_at, Submission.id)
    return query.where(key > tuple_(cursor.created_at, cursor.id)).order_by(
        Submission.created_at.asc(), Submission.id.asc()
    )


def _older_than(query: Select[*_Row], cursor: Cursor | None) -> Select[*_Row]:
    """The rows older than `cursor` (all of them without one), the nearest first."""
    if cursor is not None:
        key = tuple_(Submission.created_at, Submission.id)
        query = query.where(key < tuple_(cursor.created_at, cursor.id))
    return query.order_by(Submission.created_at.desc(), Submission.id.desc())


_LIST_COLUMNS = (
    Submission.id,
    Submission.reference,
    Submission.organisation,
    Submission.category_code,
    Submission.region_id,
    Submission.stop_id,
    Submission.status,
    Submission.created_at,
    Submission.late,
    Submission.source,
    Submission.after_signoff,
)


def list_submissions(
    session: Session,
    scope: Scope,
    filters: ReviewFilters,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int | None = None,
) -> Page:
    """One page of the scope's submissions, newest first (`limit` rows, PAGE_SIZE by default).

    `after` continues past a row towards older ones; `before` goes back towards newer ones.
    """
    limit = limit or PAGE_SIZE
    query = select(*_LIST_COLUMNS).where(*filter_conditions(scope, filters))
    query = _newer_than(query, before) if before is not None else _older_than(query, after)
    fetched = list(session.execute(query.limit(_rows(limit + 1))).all())
    more = len(fetched) > limit
    fetched = fetched[:limit]
    if before is not None:
        fetched.reverse()
    rows = [SubmissionRow(*row) for row in fetched]
    _attach_items_and_notes(session, rows)
    first = Cursor.of(rows[0].created_at, rows[0].id) if rows else None
    last = Cursor.of(rows[-1].created_at, rows[-1].id) if rows else None
    if before is not None:
        return Page(rows, older=last, newer=first if more else None)
    return Page(rows, older=last if more else None, newer=first if after is not None else None)


def count_submissions(
    session: Session, scope: Scope, filters: ReviewFilters, *, cap: int = COUNT_CAP
) -> int:
    """How many submissions of the scope meet the filters (the list's "N results"), counted up
    to `cap` + 1: past that, "more than `cap`" says enough and the count stays cheap.

    The list's own WHERE clause (no join; item filters are EXISTS subqueries), stopped after
    `cap` + 1 rows, so a broad filter over 100,000 rows reads 1,001 index entries, not all.
    """
    matching = select(Submission.id).where(*filter_conditions(scope, filters)).limit(_rows(cap + 1))
    return session.scalar(select(func.count()).select_from(matching.subquery())) or 0


@dataclass(frozen=True)
class Neighbours:
    """The submissions before and after one, in the filtered newest-first list."""

    newer: int | None
    older: int | None


def neighbours(
    session: Session,
    scope: Scope,
    filters: ReviewFilters,
    created_at: dt.datetime,
    submission_id: int,
) -> Neighbours:
    """Previous (newer) and next (older) submission around a row, by the list's own keyset:
    two index seeks of one row each, whatever the position in the list."""
    here = Cursor.of(created_at, submission_id)
    base = select(Submission.id).where(*filter_conditions(scope, filters)).limit(_rows(1))
    return Neighbours(
        newer=session.scalar(_newer_than(base, here)), older=session.scalar(_older_than(base, here))
    )


def _attach_items_and_notes(session: Session, rows: Sequence[SubmissionRow]) -> None:
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    items = session.execute(
        select(
            FeedbackItem.id,
            FeedbackItem.submission_id,
            FeedbackItem.position,
            FeedbackItem.kind,
            func.substr(FeedbackItem.text, 1, EXCERPT),
            func.length(FeedbackItem.text) > EXCERPT,
            FeedbackItem.theme_id,
            FeedbackItem.shortlisted,
        )
        .where(FeedbackItem.submission_id.in_(list(by_id)))
        .order_by(FeedbackItem.submission_id, FeedbackItem.position, FeedbackItem.id)
    ).all()
    for item_id, submission_id, position, kind, excerpt, truncated, theme_id, short in items:
        by_id[submission_id].items.append(
            ItemRow(item_id, position, kind, excerpt, bool(truncated), theme_id, short)
        )
    notes = session.execute(
        select(ReviewNote.submission_id, func.count())
        .where(ReviewNote.submission_id.in_(list(by_id)))
        .group_by(ReviewNote.submission_id)
    ).all()
    for submission_id, count in notes:
        by_id[submission_id].notes = count


def new_counts(
    session: Session, scope: Scope, regions: Sequence[Region] | None = None
) -> list[RegionCount]:
    """How many submissions still wait for review, per region of the scope (zeros included).

    `regions` may hand in the scope's regions when the caller has them already.
    """
    # The stops' running counts (services/capture/tally.py): a few rows per stop, where a
    # count of the scope's new submissions grows with them.
    counts = dict(
        session.execute(
            select(TourStop.region_id, func.sum(StopTally.count))
            .join(TourStop, TourStop.id == StopTally.stop_id)
            .where(scope.filter(TourStop.region_id), StopTally.kind == NEW)
            .group_by(TourStop.region_id)
        ).all()
    )
    if regions is None:
        regions = scope_regions(session, scope)
    return [RegionCount(region, counts.get(region.id, 0)) for region in regions]


def scope_regions(session: Session, scope: Scope) -> list[Region]:
    return list(
        session.scalars(
            select(Region).where(scope.filter(Region.id)).order_by(Region.position)
        ).all()
    )


def scope_stops(session: Session, scope: Scope) -> list[TourStop]:
    return list(
        session.scalars(
            select(TourStop)
            .join(TourStop.region)
            .where(scope.filter(TourStop.region_id))
            .order_by(Region.position, TourStop.date.desc(), TourStop.city)
        ).all()
    )


def themes(session: Session) -> list[Theme]:
    """Every theme, retired ones last: old items keep them and the list filters on them."""
    return list(
        session.scalars(select(Theme).order_by(Theme.retired, Theme.position, Theme.id)).all()
    )
