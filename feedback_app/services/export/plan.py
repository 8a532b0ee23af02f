"""What an export will be, decided once: the export *plan*, and the workbook written from it.

A plan is made inside one consistent read (`snapshot`): the filters resolved against the
reader's scope, the request key, the data fingerprint, the item count and the file name. The
same snapshot then streams the rows, so the fingerprint always describes the bytes written.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, scoped_session
from xlsxwriter.exceptions import FileCreateError

from feedback_app.exports import FilterSummary, WorkbookData, build_workbook
from feedback_app.exports.data import ProgressCallback
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import LANGUAGE_CODES, TIME_ZONE, zone
from feedback_app.models import AuditEvent, TourStop
from feedback_app.services.access import Scope
from feedback_app.services.errors import NoSpace
from feedback_app.services.followup.outputs import commitment_rows
from feedback_app.services.ideas.groups import staleness
from feedback_app.services.permissions import Permission
from feedback_app.services.synthesis.brief import briefs_for
from feedback_app.services.synthesis.figures import (
    Selection,
    SynthesisFilters,
    resolve,
    synthesis,
)
from feedback_app.services.synthesis.idea_map import idea_map
from feedback_app.services.synthesis.ideas import idea_rows
from feedback_app.services.synthesis.rows import estimate_items, fingerprint, stream_items

# Audit actions after which a workbook built from an older snapshot may hold erased data.
ERASURE_ACTIONS = ("privacy.erase", "privacy.purge")
# Room a build needs in the temporary folder, at most: the sheets' uncompressed XML (about
# 0.6 KB per item with contacts, measured) and the zip being written beside it, plus a floor
# for the summary sheets. Checked before a build starts, so that a full disk is said at once.
BUILD_BYTES_PER_ITEM = 1024
BUILD_BYTES_FLOOR = 1024 * 1024
_NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass(frozen=True)
class ExportRequest:
    filters: SynthesisFilters = field(default_factory=SynthesisFilters)
    language: str = "fr"
    include_contacts: bool = True

    def ensure_allowed(self, scope: Scope) -> None:
        """NotPermitted when the reader asks for contact columns their role may not read."""
        if self.include_contacts:
            scope.ensure(Permission.EXPORTS_CONTACTS)

    def key(self, scope: Scope) -> str:
        """What identifies the request regardless of the data (scope includes the reader)."""
        payload = json.dumps(
            {
                **self.as_dict(),
                "user": scope.user_id,
                "regions": sorted(scope.region_ids) if scope.region_ids is not None else None,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters.as_dict(),
            "language": self.language,
            "contacts": self.include_contacts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ExportRequest:
        raw = data.get("filters")
        f: dict[str, object] = raw if isinstance(raw, dict) else {}
        return cls(
            filters=SynthesisFilters(
                region_slugs=tuple(str(s) for s in _list(f.get("regions"))),
                stop_ids=tuple(int(str(s)) for s in _list(f.get("stops"))),
                since=dt.date.fromisoformat(str(f["since"])) if f.get("since") else None,
                until=dt.date.fromisoformat(str(f["until"])) if f.get("until") else None,
                statuses=tuple(str(s) for s in _list(f.get("statuses"))),
            ),
            language=str(data.get("language") or "fr"),
            include_contacts=bool(data.get("contacts")),
        )


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class ExportPlan:
    request: ExportRequest
    selection: Selection
    key: str
    fingerprint: str
    filename: str
    year: int
    items: int  # rows the region sheets will hold
    erasures: int  # erasures audited so far: a later one makes this snapshot unsafe to keep

    @property
    def region_ids(self) -> list[int]:
        return self.selection.region_ids

    @property
    def stored_filters(self) -> dict[str, object]:
        return self.request.filters.as_dict()

    @property
    def language(self) -> str:
        return self.selection.language

    @property
    def include_contacts(self) -> bool:
        return self.request.include_contacts


@contextmanager
def snapshot(session: Session | scoped_session[Session]) -> Iterator[Session]:
    """One consistent read: the figures, the table sizes and the streamed rows agree.

    SQLite (WAL) reads from one snapshot per transaction already; PostgreSQL needs
    REPEATABLE READ for that. The transaction is closed on the way out.

    What is read in a snapshot is read to its end (workbooks, briefs, exported lists), so on
    PostgreSQL its cursors are planned for every row (`cursor_tuple_fraction` 1, the default
    0.1 plans a cursor for its first tenth). Planned for a tenth, the "Idées récurrentes" read
    of a region at 1,000,000 submissions walked every group's members in the sheet's order
    (4,000,000) and dropped eleven in twelve: 143 s of the database's time; planned for all
    rows, it joins the region's items and sorts them: 15 s.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("snapshot() started with unsaved changes in the session")
        session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        connection.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    try:
        yield session
    finally:
        session.rollback()


def erasures_so_far(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(ERASURE_ACTIONS))
        )
        or 0
    )


def plan_export(
    session: Session, scope: Scope, request: ExportRequest, *, tz: str = TIME_ZONE
) -> ExportPlan:
    """Call inside `snapshot`. Raises NotFound when the filters name a region or stop outside
    the scope, NotPermitted for contact columns the scope may not read."""
    request.ensure_allowed(scope)
    language = request.language if request.language in LANGUAGE_CODES else "fr"
    sel = resolve(session, scope, request.filters, language=language, tz=tz)
    year = tour_year(session, sel)
    return ExportPlan(
        request=request,
        selection=sel,
        key=request.key(scope),
        fingerprint=fingerprint(session, sel),
        filename=download_name(sel, year),
        year=year,
        items=estimate_items(session, sel),
        erasures=erasures_so_far(session),
    )


@contextmanager
def written_workbook(
    session: Session,
    plan: ExportPlan,
    *,
    generated_by: str,
    progress: ProgressCallback | None = None,
    tz: str = TIME_ZONE,
) -> Iterator[Path]:
    """The workbook written to a file, read in the plan's snapshot (enter inside the same
    `snapshot`); the file is there until the block ends, to be stored without being read
    whole into memory (services/export/store.py).

    Each build writes in a private temporary directory, removed afterwards: XlsxWriter
    back-dates its temporary files, so a shared folder swept by age loses other builds' files.
    """
    sel, request = plan.selection, plan.request
    ideas = idea_rows(session, sel)
    stale = staleness(session)
    waiting = "" if stale is None or not stale.waiting else str(stale.waiting)
    if stale is not None and stale.more_than:
        waiting = f"{stale.more_than}+"
    data = WorkbookData(
        synthesis=synthesis(session, sel),
        rows=stream_items(session, sel, include_contacts=request.include_contacts),
        generated_at=dt.datetime.now(zone(tz)),
        generated_by=generated_by,
        code_words=CODE_WORDS,
        filters=filter_summary(sel),
        theme_labels=sel.theme_labels,
        include_contacts=request.include_contacts,
        title_year=plan.year,
        briefs=briefs_for(session, sel),
        ideas=ideas,
        # The map's titles are the ideas sheet's: one group reads the same on both sheets.
        idea_map=idea_map(session, sel, {row.number: row.titles for row in ideas}),
        commitments=commitment_rows(session, sel.region_ids, sel.language),
        ideas_waiting=waiting,
        ideas_computed_at=stale.computed_at if stale is not None else None,
    )
    ensure_room(tempfile.gettempdir(), plan.items)
    with tempfile.TemporaryDirectory(prefix="tournee-export-") as private:
        path = Path(private) / "workbook.xlsx"
        try:
            build_workbook(data, path, language=sel.language, progress=progress, tmpdir=private)
        except (OSError, FileCreateError) as error:
            if _out_of_space(error):
                raise NoSpace() from error
            raise
        yield path


def ensure_room(folder: str, items: int) -> None:
    """Refuse a build that the temporary folder has no room for, before writing anything."""
    needed = BUILD_BYTES_FLOOR + items * BUILD_BYTES_PER_ITEM
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise NoSpace(needed=needed, free=free)


def _out_of_space(error: BaseException) -> bool:
    """ENOSPC (or a full quota), raw or wrapped by XlsxWriter's FileCreateError on close."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _NO_SPACE_ERRNOS:
            return True
        wrapped = seen.args[0] if isinstance(seen, FileCreateError) and seen.args else None
        seen = wrapped if isinstance(wrapped, BaseException) else seen.__cause__
    return False


def tour_year(session: Session, sel: Selection) -> int:
    if sel.filters.since:
        return sel.filters.since.year
    first = session.scalar(
        select(func.min(TourStop.date)).where(TourStop.region_id.in_(sel.region_ids))
    )
    return first.year if first else dt.date.today().year


def download_name(sel: Selection, year: int) -> str:
    """A file name that says what it holds: synthese-tournee-2025-marrakech-safi.xlsx."""
    all_visible = not sel.filters.region_slugs and not sel.stops
    if all_visible and sel.scope.is_everything:
        where = "toutes-regions"
    elif len(sel.regions) <= 3:
        where = "-".join(r.slug for r in sel.regions) or "aucune-region"
    else:
        where = f"{len(sel.regions)}-regions"
    parts = ["synthese-tournee", str(year), where]
    if sel.stops:
        parts.append(f"{len(sel.stops)}-etapes" if len(sel.stops) > 1 else "etape")
    if sel.filters.since:
        parts.append(f"du-{sel.filters.since.isoformat()}")
    if sel.filters.until:
        parts.append(f"au-{sel.filters.until.isoformat()}")
    if sel.language != "fr":
        parts.append(sel.language)
    return "-".join(parts) + ".xlsx"


def filter_summary(sel: Selection) -> FilterSummary:
    f = sel.filters
    return FilterSummary(
        regions=tuple(r.name for r in sel.regions) if f.region_slugs or sel.stops else (),
        stops=tuple(f"{s.city} ({s.date.strftime('%d/%m/%Y')})" for s in sel.stops),
        since=f.since,
        until=f.until,
        statuses=tuple(s.value for s in sel.statuses) if f.statuses else (),
    )
