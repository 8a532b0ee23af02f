"""The read-only feed for BI tools (Power BI, Excel Power Query): pages of flat rows.

What it holds, for a token's owner (their `Scope`, as on their pages):
- contributions and entries of their regions, `new` and `reviewed` (the review status is a
  column, to filter on), never `spam`: spam is what a delegate judged not to be feedback, and
  every synthesis (idea groups, workbook figures) leaves it out too. Never a contact column,
  whatever the owner's role: a BI model is copied and shared beyond its author, and the
  review list's file is the one way to take contacts out (asked for, allowed and audited).
- idea groups as the ideas page shows them to the owner (visible entries only, at least two);
- commitments the owner reads (their regions' and the national ones).

Paging is a keyset on the rows' ids, ascending (the order they were created): a row created
while a client pages through lands after the cursor and is read once, on a later page; no row
is read twice. `since` keeps the rows *created* at or after a moment (a contribution's and its
entries' arrival, a group's or a commitment's creation): an incremental refresh adds the new
rows. Changes to rows already read (a review status, a shortlist, a commitment's progress) are
not new rows: a full refresh, the Power BI default, reads them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from feedback_app.exports.selection import COLUMNS as ENTRY_COLUMNS
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import TIME_ZONE, word
from feedback_app.models import (
    Category,
    Commitment,
    FeedbackItem,
    IdeaGroup,
    Region,
    ReviewStatus,
    Submission,
    TourStop,
)
from feedback_app.services.access import Scope
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.export.review_list import entry_rows
from feedback_app.services.followup.commitments import list_commitments
from feedback_app.services.followup.public import commitment_views
from feedback_app.services.ideas.queries import visible_group_page

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000

SUBMISSION_COLUMNS: tuple[str, ...] = (
    *ENTRY_COLUMNS[: ENTRY_COLUMNS.index("status") + 1],
    "language",
    "entries",
)
# The long CSV's columns but `matches_filter` (the feed has no filter to match).
FEED_ENTRY_COLUMNS: tuple[str, ...] = tuple(c for c in ENTRY_COLUMNS if c != "matches_filter")
GROUP_COLUMNS: tuple[str, ...] = (
    "group_id",
    "kind",
    "kind_name",
    "title",
    "confirmed",
    "title_written",
    "entries",
    "organisations",
    "regions",
    "created_at",
)
COMMITMENT_COLUMNS: tuple[str, ...] = (
    "commitment_id",
    "title",
    "owner",
    "national",
    "regions",
    "status",
    "status_name",
    "progress",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class FeedQuery:
    since: dt.datetime | None = None  # aware
    after: int = 0  # the last id already read (from the cursor)
    limit: int = DEFAULT_LIMIT
    language: str = "fr"
    tz: str = TIME_ZONE


@dataclass(frozen=True)
class FeedPage:
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    last_id: int | None  # the cursor's position after this page, when more rows may follow


Row = tuple[object, ...]


def _not_spam() -> ColumnElement[bool]:
    return Submission.status != ReviewStatus.SPAM


def _page(rows: Sequence[Row], ids: list[int], limit: int) -> tuple[list[Row], int | None]:
    """`limit + 1` rows were asked for: one more says another page follows."""
    if len(rows) > limit:
        return list(rows[:limit]), ids[limit - 1]
    return list(rows), None


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def submissions(session: Session, scope: Scope, query: FeedQuery) -> FeedPage:
    zone = ZoneInfo(query.tz)
    language = query.language
    conditions: list[ColumnElement[bool]] = [
        scope.filter(Submission.region_id),
        _not_spam(),
        Submission.id > query.after,
    ]
    if query.since is not None:
        conditions.append(Submission.created_at >= query.since)
    entries = (
        select(func.count())
        .where(FeedbackItem.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    stmt = (
        select(
            Submission.id,
            Submission.reference,
            Submission.created_at,
            Region,
            TourStop,
            Submission.organisation,
            Category,
            Submission.source,
            Submission.status,
            Submission.language,
            entries,
        )
        .join(Region, Region.id == Submission.region_id)
        .join(TourStop, TourStop.id == Submission.stop_id)
        .join(Category, Category.code == Submission.category_code)
        .where(*conditions)
        .order_by(Submission.id)
        .limit(query.limit + 1)
    )
    rows: list[Row] = []
    ids: list[int] = []
    for (
        sid,
        ref,
        created,
        region,
        stop,
        org,
        category,
        source,
        status,
        lang,
        count,
    ) in session.execute(stmt):
        ids.append(sid)
        rows.append(
            (
                sid,
                ref,
                _local(created, zone),
                region.slug,
                region.name_for(language),
                stop.id,
                stop.city_for(language),
                stop.date,
                org,
                category.code,
                category.name_for(language),
                source.value,
                status.value,
                lang,
                count,
            )
        )
    page, last = _page(rows, ids, query.limit)
    return FeedPage(SUBMISSION_COLUMNS, page, last)


def entries(session: Session, scope: Scope, query: FeedQuery) -> FeedPage:
    conditions: list[ColumnElement[bool]] = [
        scope.filter(Submission.region_id),
        _not_spam(),
        FeedbackItem.id > query.after,
    ]
    if query.since is not None:
        conditions.append(Submission.created_at >= query.since)
    found = entry_rows(
        session,
        scope,
        where=conditions,
        order_by=(FeedbackItem.id,),
        matches=literal(True),
        language=query.language,
        include_contacts=False,
        tz=query.tz,
        limit=query.limit + 1,
    )
    keep = [ENTRY_COLUMNS.index(c) for c in FEED_ENTRY_COLUMNS]
    rows: list[Row] = []
    ids: list[int] = []
    for row in found:
        ids.append(row.entry_id)
        rows.append(tuple(row[i] for i in keep))
    page, last = _page(rows, ids, query.limit)
    return FeedPage(FEED_ENTRY_COLUMNS, page, last)


def idea_groups(session: Session, scope: Scope, query: FeedQuery) -> FeedPage:
    zone = ZoneInfo(query.tz)
    kinds = CODE_WORDS["kind"]
    summaries = visible_group_page(
        session, scope, after=query.after, since=query.since, limit=query.limit + 1
    )
    created = dict(
        session.execute(
            select(IdeaGroup.id, IdeaGroup.created_at).where(
                IdeaGroup.id.in_([s.id for s in summaries])
            )
        ).all()
    )
    rows: list[Row] = [
        (
            s.id,
            s.kind,
            word(kinds[s.kind], query.language) if s.kind in kinds else s.kind,
            s.title,
            s.confirmed,
            s.title_locked,
            s.items,
            s.organisations,
            s.regions,
            _local(created[s.id], zone),
        )
        for s in summaries
    ]
    page, last = _page(rows, [s.id for s in summaries], query.limit)
    return FeedPage(GROUP_COLUMNS, page, last)


def commitments(session: Session, scope: Scope, query: FeedQuery) -> FeedPage:
    """A few hundred rows at most: read whole, then paged like the others."""
    zone = ZoneInfo(query.tz)
    statuses = CODE_WORDS["commitment_status"]
    chosen: list[Commitment] = sorted(
        (
            c
            for c in list_commitments(session, scope)
            if c.id > query.after and (query.since is None or c.created_at >= query.since)
        ),
        key=lambda c: c.id,
    )[: query.limit + 1]
    views = {v.id: v for v in commitment_views(session, chosen, query.language)}
    rows: list[Row] = []
    for c in chosen:
        view = views[c.id]
        rows.append(
            (
                c.id,
                view.title,
                view.owner,
                view.national,
                ";".join(view.regions),
                view.status,
                word(statuses[view.status], query.language)
                if view.status in statuses
                else view.status,
                view.progress,
                _local(c.created_at, zone),
                _local(c.updated_at, zone),
            )
        )
    page, last = _page(rows, [c.id for c in chosen], query.limit)
    return FeedPage(COMMITMENT_COLUMNS, page, last)


FEEDS: dict[str, Callable[[Session, Scope, FeedQuery], FeedPage]] = {
    "submissions": submissions,
    "entries": entries,
    "idea-groups": idea_groups,
    "commitments": commitments,
}


def encode_cursor(feed: str, last_id: int) -> str:
    """Opaque to clients (they follow the `next` link); it names its feed, so that a cursor
    pasted into another feed is refused rather than silently skipping rows."""
    return base64.urlsafe_b64encode(f"{feed}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(feed: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        name, _sep, number = raw.rpartition(":")
        last = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        name, last = "", -1
    if name != feed or last < 0:
        raise ValidationFailed({"cursor": [_l("Curseur invalide : suivez le lien « next ».")]})
    return last


def parse_since(value: str | None, tz: str = TIME_ZONE) -> dt.datetime | None:
    """ISO 8601 date or date-time; without an offset, the tour's time zone."""
    if value is None or value == "":
        return None
    try:
        if len(value) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= 9000:
        raise ValidationFailed(
            {"since": [_l("Date invalide : écrivez par exemple 2026-03-01T08:00:00Z.")]}
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(dt.UTC)


def parse_limit(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise ValidationFailed(
            {"limit": [_l("Nombre de lignes invalide : entre 1 et %(max)d.", max=MAX_LIMIT)]}
        )
    return int(value)


def page_values(columns: Sequence[str], row: Sequence[object]) -> dict[str, object]:
    """A row as JSON: ISO dates, numbers and booleans as such, text as written."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in zip(columns, row, strict=True)
    }
