"""Producing the synthesis workbook as a file: snapshot read, cache, file name and audit.

The same function serves the web download, the background job and `flask export xlsx`.
A workbook is cached under the exports folder, keyed by the filters, the reader's scope, the
language and a fingerprint of the data: the same request over unchanged data is served
again without being rebuilt, and any submission or review change makes a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from feedback_app.database import write_transaction
from feedback_app.exports import FilterSummary, WorkbookData, build_workbook
from feedback_app.exports.data import ProgressCallback
from feedback_app.models import Region, TourStop
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.idea_export import idea_rows
from feedback_app.services.idea_groups import regroup_if_stale
from feedback_app.services.synthesis import (
    DEFAULT_TIMEZONE,
    Selection,
    SynthesisFilters,
    resolve,
    synthesis,
)
from feedback_app.services.synthesis_rows import estimate_items, fingerprint, stream_items

LANGUAGES = ("fr", "ar", "en")
KEEP_SECONDS = 7 * 24 * 3600  # cached workbooks hold personal data: not kept for long
EXPORT_ACTION = "export.xlsx"


@dataclass(frozen=True)
class ExportRequest:
    filters: SynthesisFilters = field(default_factory=SynthesisFilters)
    language: str = "fr"
    include_contacts: bool = True

    def key(self, scope: Scope) -> str:
        """What identifies the request regardless of the data (scope includes the reader)."""
        payload = json.dumps({
            "filters": self.filters.as_dict(), "language": self.language,
            "contacts": self.include_contacts, "user": scope.user_id,
            "regions": sorted(scope.region_ids) if scope.region_ids is not None else None,
        }, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str  # what the download is called
    items: int
    cached: bool


@contextmanager
def snapshot(session: Session) -> Iterator[Session]:
    """One consistent read: the figures, the table sizes and the streamed rows agree.

    SQLite (WAL) reads from one snapshot per transaction already; PostgreSQL needs
    REPEATABLE READ for that. The transaction is closed on the way out.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("snapshot() started with unsaved changes in the session")
        session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        yield session
    finally:
        session.rollback()


def exports_dir(config: Mapping[str, Any], instance_path: str) -> Path:
    """EXPORTS_DIR, else exports/ in the instance folder (a test's own folder in tests)."""
    configured = config.get("EXPORTS_DIR")
    path = Path(configured) if configured else Path(
        config.get("INSTANCE_TMP") or instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tour_year(session: Session, sel: Selection) -> int:
    if sel.filters.since:
        return sel.filters.since.year
    first = session.scalar(select(func.min(TourStop.date))
                           .where(TourStop.region_id.in_(sel.region_ids)))
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
        since=f.since, until=f.until,
        statuses=tuple(s.value for s in sel.statuses) if f.statuses else (),
    )


def _prune(directory: Path, request_key: str, keep: Path) -> None:
    """Drop older workbooks of the same request, anything past its keeping time, and what a
    build killed half-way left behind (partial files, XlsxWriter's temporary files)."""
    now = time.time()
    for old in directory.iterdir():
        if old == keep or not old.is_file():
            continue
        age = now - old.stat().st_mtime
        same_request = old.name.startswith(request_key) and old.suffix == ".xlsx"
        leftover = old.suffix in (".part", "") and age > 24 * 3600
        try:
            if same_request or leftover or (old.suffix == ".xlsx" and age > KEEP_SECONDS):
                old.unlink()
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class Lookup:
    cached: ExportFile | None  # the workbook already built for this request and this data
    items: int  # rows the region sheets will hold


def lookup(session: Session, scope: Scope, request: ExportRequest, *, directory: Path,
           tz: str = DEFAULT_TIMEZONE) -> Lookup:
    """Is this workbook cached, and how big is it? (Decides between a direct download and a
    background job.) Raises NotFound like `produce`."""
    language = request.language if request.language in LANGUAGES else "fr"
    regroup_if_stale(session)  # the groups are current at export time
    with snapshot(session):
        sel = resolve(session, scope, request.filters, language=language, tz=tz)
        items = estimate_items(session, sel)
        path = directory / f"{request.key(scope)}-{fingerprint(session, sel)}.xlsx"
        if not path.exists():
            return Lookup(cached=None, items=items)
        name = download_name(sel, tour_year(session, sel))
    return Lookup(cached=ExportFile(path=path, filename=name, items=items, cached=True),
                  items=items)


def produce(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    directory: Path,
    generated_by: str,
    progress: ProgressCallback | None = None,
    total: list[int] | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> ExportFile:
    """The workbook for this request, from the cache when the data has not changed.

    Raises NotFound when the filters name a region or stop outside the scope. `total`, when
    given, receives the number of rows to write before writing starts (for progress bars).
    """
    language = request.language if request.language in LANGUAGES else "fr"
    regroup_if_stale(session)  # the groups are current at export time
    with snapshot(session):
        sel = resolve(session, scope, request.filters, language=language, tz=tz)
        key = request.key(scope)
        path = directory / f"{key}-{fingerprint(session, sel)}.xlsx"
        year = tour_year(session, sel)
        name = download_name(sel, year)
        syn = synthesis(session, sel)
        items = syn.totals.items
        if total is not None:
            total.append(items)
        if path.exists():
            os.utime(path)
            return ExportFile(path=path, filename=name, items=items, cached=True)
        data = WorkbookData(
            synthesis=syn,
            rows=stream_items(session, sel, include_contacts=request.include_contacts),
            generated_at=dt.datetime.now(ZoneInfo(tz)),
            generated_by=generated_by,
            filters=filter_summary(sel),
            theme_labels=sel.theme_labels,
            include_contacts=request.include_contacts,
            title_year=year,
            ideas=idea_rows(session, sel),
        )
        partial = directory / f".{key}-{secrets.token_hex(4)}.part"
        try:
            build_workbook(data, partial, language=language, progress=progress,
                           tmpdir=str(directory))
            os.replace(partial, path)  # readers never see a half-written workbook
        finally:
            partial.unlink(missing_ok=True)
    _prune(directory, key, path)
    return ExportFile(path=path, filename=name, items=items, cached=False)


def audit_export(session: Session, scope: Scope, request: ExportRequest, *,
                 actor_id: int | None, result: ExportFile | None = None,
                 via: str = "web", job: str | None = None) -> None:
    """Every export leaves a trace: who, which filters, how many items, cached or not."""
    slugs = request.filters.region_slugs
    region_id = None
    if len(slugs) == 1 or (scope.region_ids is not None and len(scope.region_ids) == 1):
        region_id = _region_id(session, slugs[0]) if slugs else next(iter(scope.region_ids or []))
    after: dict[str, object] = {**request.filters.as_dict(), "language": request.language,
                                "contacts": request.include_contacts, "via": via}
    if result is not None:
        after.update(filename=result.filename, items=result.items, cached=result.cached)
    if job is not None:
        after["job"] = job
    with write_transaction(session):
        record(session, actor_id=actor_id, action=EXPORT_ACTION, target_type="export",
               target_id=None, region_id=region_id, after=after)


def _region_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Region.id).where(Region.slug == slug))
