"""The review list as a file: exactly the contributions the list shows for a filter, one row
per entry.

The selection is the list's own WHERE clause (services/review/filters.py `filter_conditions`,
the reader's `Scope` included), so the page and the file cannot disagree; each entry also says
whether it meets the entry-level filters itself (`entry_conditions`). Rows are read in chunks
(`yield_per`: a server-side cursor on PostgreSQL), newest contribution first as on the page.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from feedback_app.database import write_transaction
from feedback_app.exports.selection import EntryRow, csv_chunks, write_xlsx
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import TIME_ZONE, word
from feedback_app.models import (
    Category,
    FeedbackItem,
    ItemKind,
    Region,
    ReviewStatus,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
)
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.export.plan import erasures_so_far, snapshot
from feedback_app.services.export.store import ArtifactFacts, StoredArtifact, store_file
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
    job: str | None = None,
) -> None:
    """The export's audit row: who took which filtered list out, how, and how many rows (and
    the background job building it, for a large list)."""
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
                **({"job": job} if job is not None else {}),
            },
        )


LIST_JOB_KIND = "review_list"
_ENUM_FIELDS: dict[str, type[enum.StrEnum]] = {
    "status": ReviewStatus,
    "kind": ItemKind,
    "source": SubmissionSource,
}
_MOMENT_FIELDS = ("created_from", "created_before")


def filters_as_dict(filters: ReviewFilters) -> dict[str, object]:
    """The filters as JSON (a job's request), read back by `filters_from_dict`."""
    out: dict[str, object] = {}
    for item in fields(filters):
        value = getattr(filters, item.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        out[item.name] = value
    return out


def filters_from_dict(data: Mapping[str, object]) -> ReviewFilters:
    values: dict[str, Any] = {}
    for item in fields(ReviewFilters):
        if item.name not in data or data[item.name] is None:
            continue
        value: Any = data[item.name]
        if item.name in _ENUM_FIELDS:
            value = _ENUM_FIELDS[item.name](str(value))
        elif item.name in _MOMENT_FIELDS:
            value = dt.datetime.fromisoformat(str(value))
        values[item.name] = value
    return ReviewFilters(**values)


@dataclass(frozen=True)
class ListRequest:
    """A filtered list to build in the background: the filters and everything the file says
    (file name, title, header block, headings) decided by the web request in the reader's
    words, so that the worker writes plain data."""

    filters: ReviewFilters
    file_format: str  # "csv" or "xlsx"
    language: str
    include_contacts: bool
    filename: str
    title: str = ""
    header: tuple[tuple[str, str], ...] = ()
    titles: tuple[tuple[str, str], ...] = ()  # column code -> heading (.xlsx)
    rtl: bool = False

    def ensure_allowed(self, scope: Scope) -> None:
        if self.include_contacts:
            scope.ensure(Permission.EXPORTS_CONTACTS)

    def key(self, scope: Scope) -> str:
        """The same list, format, language and contacts of the same reader: one job at a time
        (the file name and header carry the time: not part of it)."""
        payload = json.dumps(
            {
                "kind": LIST_JOB_KIND,
                "filters": filters_as_dict(self.filters),
                "format": self.file_format,
                "language": self.language,
                "contacts": self.include_contacts,
                "user": scope.user_id,
                "regions": sorted(scope.region_ids) if scope.region_ids is not None else None,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": LIST_JOB_KIND,
            "filters": filters_as_dict(self.filters),
            "format": self.file_format,
            "language": self.language,
            "contacts": self.include_contacts,
            "filename": self.filename,
            "title": self.title,
            "header": [list(pair) for pair in self.header],
            "titles": [list(pair) for pair in self.titles],
            "rtl": self.rtl,
        }

    @staticmethod
    def describes(data: Mapping[str, object]) -> bool:
        return data.get("kind") == LIST_JOB_KIND

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ListRequest:
        raw = data.get("filters")
        return cls(
            filters=filters_from_dict(raw if isinstance(raw, dict) else {}),
            file_format="xlsx" if data.get("format") == "xlsx" else "csv",
            language=str(data.get("language") or "fr"),
            include_contacts=bool(data.get("contacts")),
            filename=str(data.get("filename") or "contributions.csv"),
            title=str(data.get("title") or ""),
            header=tuple((str(a), str(b)) for a, b in _pairs(data.get("header"))),
            titles=tuple((str(a), str(b)) for a, b in _pairs(data.get("titles"))),
            rtl=bool(data.get("rtl")),
        )


def _pairs(value: object) -> list[tuple[object, object]]:
    if not isinstance(value, list):
        return []
    return [(p[0], p[1]) for p in value if isinstance(p, list | tuple) and len(p) == 2]


def write_list(rows: Iterable[EntryRow], request: ListRequest, path: Path, *, tmpdir: str) -> None:
    """The file of `request`'s format at `path`: the direct download and the job write the
    same bytes."""
    if request.file_format == "csv":
        with path.open("wb") as handle:
            for chunk in csv_chunks(rows, include_contacts=request.include_contacts):
                handle.write(chunk)
        return
    write_xlsx(
        rows,
        path,
        include_contacts=request.include_contacts,
        title=request.title,
        header=request.header,
        titles=dict(request.titles),
        rtl=request.rtl,
        tmpdir=tmpdir,
    )


def build_list_file(
    session: Session,
    scope: Scope,
    request: ListRequest,
    *,
    key: str,
    owner_id: int,
    keep_days: int,
    tz: str = TIME_ZONE,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> StoredArtifact:
    """A job's body for a filtered list: the rows of the owner's *current* scope, read in one
    snapshot, written to a private temporary folder, stored once (a second run of the same job
    replaces the file, see store_file). The export was audited when it was asked for."""
    request.ensure_allowed(scope)
    for _attempt in range(3):  # an erasure during the build: read again
        with snapshot(session):
            total = count_entries(session, scope, request.filters)
            if on_total is not None:
                on_total(total)
            erasures = erasures_so_far(session)
            rows = stream_entries(
                session,
                scope,
                request.filters,
                language=request.language,
                include_contacts=request.include_contacts,
                tz=tz,
            )
            with tempfile.TemporaryDirectory(prefix="tournee-list-") as private:
                path = Path(private) / f"list.{request.file_format}"
                write_list(_counted(rows, progress), request, path, tmpdir=private)
                content = path.read_bytes()
        region_ids = (
            [request.filters.region_id]
            if request.filters.region_id is not None
            else sorted(scope.region_ids)
            if scope.region_ids is not None
            else list(session.scalars(select(Region.id).order_by(Region.id)))
        )
        stored = store_file(
            session,
            ArtifactFacts(
                key=key,
                fingerprint=hashlib.sha256(content).hexdigest()[:32],
                region_ids=region_ids,
                filters={"list": filters_as_dict(request.filters), "format": request.file_format},
                language=request.language,
                has_contacts=request.include_contacts,
                filename=request.filename,
                erasures=erasures,
            ),
            content,
            owner_id=owner_id,
            items=total,
            keep_days=keep_days,
        )
        if stored is not None:
            return stored
    raise RuntimeError("contact details kept being erased during the export; try again")


def _counted(
    rows: Iterator[EntryRow], progress: Callable[[int], None] | None
) -> Iterator[EntryRow]:
    for count, row in enumerate(rows, 1):
        if progress is not None and count % 500 == 0:
            progress(count)
        yield row
