"""Built workbooks kept in the database, so that every web host and worker can serve them.

An artifact is written once per request key and data fingerprint (a unique index): a build run
twice (a job redelivered after a worker died) finds the first row and joins it. Erasures and
artifact writes take one lock, so that a workbook read before an erasure is never stored after
it (`store_artifact` sees the erasure and refuses; the erasure deletes what was stored first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_app.database import rowcount, write_transaction
from feedback_app.models import ExportArtifact, ExportJob, JobState, User
from feedback_app.models.types import utcnow
from feedback_app.services.access import scope_for
from feedback_app.services.errors import NotFound
from feedback_app.services.export.plan import erasures_so_far
from feedback_app.services.permissions import Permission

_ARTIFACT_LOCK = 727_001  # PostgreSQL advisory lock shared by erasures and artifact writes


@dataclass(frozen=True)
class StoredArtifact:
    id: int
    filename: str
    items: int
    cached: bool  # served from an earlier build


class ArtifactPlan(Protocol):
    """What a stored file is known by: the workbook's plan (services/export/plan.py) and the
    PDF brief's (services/export/brief_pdf.py)."""

    @property
    def key(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def erasures(self) -> int: ...
    @property
    def region_ids(self) -> list[int]: ...
    @property
    def stored_filters(self) -> dict[str, object]: ...
    @property
    def language(self) -> str: ...
    @property
    def include_contacts(self) -> bool: ...


def lock_artifacts(session: Session) -> None:
    """Serialise artifact writes with erasures (SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ARTIFACT_LOCK})


def find_artifact(session: Session, plan: ArtifactPlan) -> StoredArtifact | None:
    return find_stored(session, plan.key, plan.fingerprint)


def find_stored(session: Session, key: str, fingerprint: str) -> StoredArtifact | None:
    row = session.execute(
        select(ExportArtifact.id, ExportArtifact.filename, ExportArtifact.items).where(
            ExportArtifact.request_key == key,
            ExportArtifact.fingerprint == fingerprint,
            ExportArtifact.expires_at > utcnow(),
        )
    ).first()
    return StoredArtifact(row.id, row.filename, row.items, cached=True) if row else None


def store_artifact(
    session: Session,
    plan: ArtifactPlan,
    content: bytes | Path,
    *,
    owner_id: int | None,
    items: int,
    keep_days: int,
) -> StoredArtifact | None:
    """Write the file once (or join the row a concurrent run wrote). None when an erasure
    happened since the plan's snapshot: the bytes may hold erased data; build again."""
    return store_file(
        session,
        ArtifactFacts(
            key=plan.key,
            fingerprint=plan.fingerprint,
            region_ids=plan.region_ids,
            filters=plan.stored_filters,
            language=plan.language,
            has_contacts=plan.include_contacts,
            filename=plan.filename,
            erasures=plan.erasures,
        ),
        content,
        owner_id=owner_id,
        items=items,
        keep_days=keep_days,
    )


@dataclass(frozen=True)
class ArtifactFacts:
    """What a stored file covers, decided in the snapshot it was read from."""

    key: str
    fingerprint: str
    region_ids: list[int]
    filters: dict[str, object]
    language: str
    has_contacts: bool
    filename: str
    erasures: int  # erasures audited when the snapshot was taken


def store_file(
    session: Session,
    facts: ArtifactFacts,
    content: bytes | Path,
    *,
    owner_id: int | None,
    items: int,
    keep_days: int,
) -> StoredArtifact | None:
    """Any built file (a workbook, a filtered list), given as bytes or as a file: written once
    per key and fingerprint, or joined; None when contacts were erased since the snapshot
    (build again). A file is stored in chunks on PostgreSQL, never read whole into memory."""
    try:
        with write_transaction(session):
            lock_artifacts(session)
            if facts.has_contacts and erasures_so_far(session) != facts.erasures:
                return None
            existing = find_stored(session, facts.key, facts.fingerprint)
            if existing is not None:
                return existing
            # Older files of the same request describe data that has changed since (or
            # have expired): this one replaces them.
            session.execute(
                delete(ExportArtifact)
                .where(ExportArtifact.request_key == facts.key)
                .execution_options(synchronize_session=False)
            )
            now = utcnow()
            path, streamed = None, False
            if isinstance(content, Path):
                path, size, streamed = content, content.stat().st_size, _streams(session)
                body = b"" if streamed else path.read_bytes()  # SQLite: small installs
            else:
                size, body = len(content), content
            artifact = ExportArtifact(
                request_key=facts.key,
                fingerprint=facts.fingerprint,
                owner_id=owner_id,
                region_ids=facts.region_ids,
                filters=facts.filters,
                language=facts.language,
                has_contacts=facts.has_contacts,
                filename=facts.filename,
                items=items,
                size=size,
                content=body,
                created_at=now,
                expires_at=now + dt.timedelta(days=keep_days),
            )
            session.add(artifact)
            session.flush()
            if path is not None and streamed:
                _fill_in_chunks(session, artifact.id, path)
                session.expire(artifact, ["content"])
            stored = StoredArtifact(artifact.id, artifact.filename, items, cached=False)
    except IntegrityError:  # the same build finished a moment earlier elsewhere: join it
        found = find_stored(session, facts.key, facts.fingerprint)
        session.rollback()
        if found is None:
            raise
        return found
    return stored


# A built file goes to PostgreSQL this many bytes at a time: the worker's memory holds one
# chunk, not the file (a national workbook is hundreds of megabytes).
STORE_CHUNK = 8 * 1024 * 1024


def _streams(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fill_in_chunks(session: Session, artifact_id: int, path: Path) -> None:
    """Set the artifact's content from `path` chunk by chunk, in the caller's transaction:
    the chunks go into a large object, which becomes the bytea in one statement, then goes."""
    oid = session.scalar(text("SELECT lo_create(0)"))
    offset = 0
    with path.open("rb") as file:
        while chunk := file.read(STORE_CHUNK):
            session.execute(
                text("SELECT lo_put(:oid, :offset, :chunk)"),
                {"oid": oid, "offset": offset, "chunk": chunk},
            )
            offset += len(chunk)
    session.execute(
        update(ExportArtifact)
        .where(ExportArtifact.id == artifact_id)
        .values(content=func.lo_get(oid))
        .execution_options(synchronize_session=False)
    )
    session.execute(text("SELECT lo_unlink(:oid)"), {"oid": oid})


def artifact_for_download(
    session: Session, user: User, artifact_id: int | None
) -> tuple[ExportArtifact, bytes]:
    """The workbook and its bytes, if this user may read it *now*: an active account, its
    owner, whose current role and regions still cover every region it holds (and its contact
    columns, if any). Else NotFound."""
    artifact = session.get(ExportArtifact, artifact_id) if artifact_id is not None else None
    if artifact is None or not user.active or artifact.owner_id != user.id:
        raise NotFound("export")
    if artifact.expires_at <= utcnow():
        raise NotFound("export")
    scope = scope_for(user)
    if not all(scope.allows(region_id) for region_id in artifact.region_ids):
        raise NotFound("export")
    if artifact.has_contacts and not scope.can(Permission.EXPORTS_CONTACTS):
        raise NotFound("export")
    return artifact, artifact.content


def forget_contact_artifacts(session: Session) -> int:
    """Delete every stored workbook with contact columns. Call inside the erasure's own write
    transaction, so that the data change and the deletion commit together."""
    lock_artifacts(session)
    result = session.execute(
        delete(ExportArtifact)
        .where(ExportArtifact.has_contacts.is_(True))
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def expire_exports(
    session: Session, *, now: dt.datetime | None = None, keep_days: int = 7
) -> tuple[int, int]:
    """Delete workbooks past their expiry and jobs finished more than `keep_days` ago."""
    now = now or utcnow()
    with write_transaction(session):
        artifacts = session.execute(
            delete(ExportArtifact)
            .where(ExportArtifact.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        jobs = session.execute(
            delete(ExportJob)
            .where(
                ExportJob.state.in_((JobState.DONE, JobState.FAILED)),
                ExportJob.updated_at < now - dt.timedelta(days=keep_days),
            )
            .execution_options(synchronize_session=False)
        )
    return rowcount(artifacts), rowcount(jobs)
