"""The review list as a file: exactly the contributions the list shows for a filter, one row
per entry.

The selection is the list's own WHERE clause (services/review/filters.py `filter_conditions`,
the reader's `Scope` included), so the page and the file cannot disagree; each entry also says
whether it meets the entry-level filters itself (`entry_conditions`). Rows are read in chunks
(`yield_per`: a server-side cursor on PostgreSQL), newest contribution first as on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from feedback_app.database import write_transaction
from feedback_app.exports.selection import EntryRow
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import TIME_ZONE, word
from feedback_app.models import Category, FeedbackItem, Region, Submission, Theme, TourStop
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.permissions import Permission
from feedback_app.services.review.filters import (
    ReviewFilters,
    entry_conditions,
    filter_conditions,
)
from feedback_app.services.synthesis.rows import contact_columns

EXPORT_ACTION = "export.review_list"
CHUNK = 2000


def _code(value: object) -> str:
    return str(getattr(value, "value", value))


def count_entries(session: Session, scope: Scope, filters: ReviewFilters) -> int:
    """How many rows the file will hold: every entry of the listed contributions."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FeedbackItem)
            .join(Submission, FeedbackItem.submission_id == Submission.id)
            .where(*filter_conditions(scope, filters))
        )
        or 0
    )


def stream_entries(
    session: Session,
    scope: Scope,
    filters: ReviewFilters,
    *,
    language: str,
    include_contacts: bool,
    tz: str = TIME_ZONE,
    chunk: int = CHUNK,
) -> Iterator[EntryRow]:
    """The entries of the listed contributions, in the list's order (newest first), then in
    each contribution's own order. Contacts only with `include_contacts` and the respondent's
    consent, and only for a reader allowed them (else NotPermitted, raised here at once)."""
    if include_contacts:
        scope.ensure(Permission.EXPORTS_CONTACTS)
    return _entries(session, scope, filters, language, include_contacts, tz, chunk)


def _entries(
    session: Session,
    scope: Scope,
    filters: ReviewFilters,
    language: str,
    include_contacts: bool,
    tz: str,
    chunk: int,
) -> Iterator[EntryRow]:
    wanted = entry_conditions(filters)
    matches: ColumnElement[bool] = (
        case((and_(*wanted), true()), else_=False) if wanted else literal(True)
    )
    yield from entry_rows(
        session,
        scope,
        where=filter_conditions(scope, filters),
        order_by=(
            Submission.created_at.desc(),
            Submission.id.desc(),
            FeedbackItem.position,
            FeedbackItem.id,
        ),
        matches=matches,
        language=language,
        include_contacts=include_contacts,
        tz=tz,
        chunk=chunk,
    )


def entry_rows(
    session: Session,
    scope: Scope,
    *,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    matches: ColumnElement[bool],
    language: str,
    include_contacts: bool,
    tz: str = TIME_ZONE,
    chunk: int = CHUNK,
    limit: int | None = None,
) -> Iterator[EntryRow]:
    """Entries joined to their contribution, as EntryRow: the one reader behind the review
    list's file and the BI feed's entries. `where` must include the scope's condition; the
    caller checks the contacts permission."""
    zone = ZoneInfo(tz)
    regions = {r.id: r for r in session.scalars(select(Region))}
    stops = {
        s.id: s for s in session.scalars(select(TourStop).where(scope.filter(TourStop.region_id)))
    }
    themes = {t.id: t for t in session.scalars(select(Theme))}
    categories = {c.code: c.name_for(language) for c in session.scalars(select(Category))}
    kinds: Mapping[str, Mapping[str, str]] = CODE_WORDS["kind"]
    contacts = contact_columns(include_contacts)
    stmt = (
        select(
            Submission.id,
            Submission.reference,
            Submission.created_at,
            Submission.region_id,
            Submission.stop_id,
            Submission.organisation,
            Submission.category_code,
            Submission.source,
            Submission.status,
            FeedbackItem.id,
            FeedbackItem.position,
            FeedbackItem.kind,
            FeedbackItem.theme_id,
            FeedbackItem.priority,
            FeedbackItem.shortlisted,
            matches,
            FeedbackItem.text,
            *contacts,
        )
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(*where)
        .order_by(*order_by)
        .execution_options(yield_per=chunk)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    for row in session.execute(stmt):
        region, stop = regions[row[3]], stops[row[4]]
        theme = themes.get(row[12]) if row[12] is not None else None
        kind = _code(row[11])
        created: dt.datetime = row[2]
        if created.tzinfo is None:  # SQLite hands back naive UTC
            created = created.replace(tzinfo=dt.UTC)
        yield EntryRow(
            submission_id=row[0],
            reference=row[1],
            received_at=created.astimezone(zone),
            region=region.slug,
            region_name=region.name_for(language),
            stop_id=stop.id,
            stop_city=stop.city_for(language),
            stop_date=stop.date,
            organisation=row[5],
            category=row[6],
            category_name=categories.get(row[6], row[6]),
            source=_code(row[7]),
            status=_code(row[8]),
            entry_id=row[9],
            entry_position=row[10],
            kind=kind,
            kind_name=word(kinds[kind], language) if kind in kinds else kind,
            theme=theme.code if theme else None,
            theme_name=theme.name_for(language) if theme else None,
            priority=_code(row[13]) if row[13] is not None else None,
            shortlisted=bool(row[14]),
            matches_filter=bool(row[15]),
            text=row[16],
            contact_name=row[17],
            contact_job_title=row[18],
            contact_email=row[19],
            contact_phone=row[20],
        )


def record_export(
    session: Session,
    scope: Scope,
    filters: ReviewFilters,
    *,
    actor_id: int,
    described: Mapping[str, str],
    file_format: str,
    filename: str,
    entries: int,
    include_contacts: bool,
    language: str,
) -> None:
    """The export's audit row: who took which filtered list out, how, and how many rows."""
    region_id = filters.region_id
    if region_id is None and scope.region_ids is not None and len(scope.region_ids) == 1:
        region_id = next(iter(scope.region_ids))
    with write_transaction(session):
        record(
            session,
            actor_id=actor_id,
            action=EXPORT_ACTION,
            target_type="export",
            target_id=None,
            region_id=region_id,
            after={
                "filters": dict(described),
                "format": file_format,
                "filename": filename,
                "entries": entries,
                "contacts": include_contacts,
                "language": language,
            },
        )
