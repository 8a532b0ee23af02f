"""The region brief as a PDF: a background job of the export job system, or a share link's file.

The staff route (GET /review/brief.pdf) queues a job of kind BRIEF_PDF (services/export/jobs.py
runs it); the job reads the owner's brief through their *current* scope, prints it
(exports/brief_pdf.py) and stores the file as an export artifact, so the job page, its
download and the artifact's expiry are the workbook's. A PDF is keyed by the request and a
fingerprint of the brief itself: the same brief over unchanged data is not printed twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.exports.brief_pdf import brief_html, brief_pdf
from feedback_app.exports.data import RegionBrief
from feedback_app.locales import LANGUAGE_CODES, TIME_ZONE, zone
from feedback_app.models import ExportArtifact
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.export.plan import snapshot
from feedback_app.services.export.store import StoredArtifact, find_artifact, store_artifact
from feedback_app.services.synthesis.brief import brief_region, region_brief, shared_brief

BRIEF_PDF = "brief.pdf"  # the job's kind, kept in its request
BRIEF_PDF_ACTION = "export.brief_pdf"


@dataclass(frozen=True)
class BriefPdfRequest:
    region: str  # slug
    language: str = "fr"

    def ensure_allowed(self, scope: Scope) -> None:
        """Every staff role reads the brief of its regions (the region is checked in the build:
        outside the scope it is NotFound, like an unknown one)."""

    def key(self, scope: Scope) -> str:
        return _key(
            {
                **self.as_dict(),
                "user": scope.user_id,
                "regions": sorted(scope.region_ids) if scope.region_ids is not None else None,
            }
        )

    def as_dict(self) -> dict[str, object]:
        return {"kind": BRIEF_PDF, "region": self.region, "language": self.language}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> BriefPdfRequest:
        language = str(data.get("language") or "fr")
        return cls(str(data.get("region") or ""), language if language in LANGUAGE_CODES else "fr")


def is_brief_pdf(request: dict[str, object]) -> bool:
    return request.get("kind") == BRIEF_PDF


@dataclass(frozen=True)
class BriefPlan:
    """A PDF as the artifact store knows it (services/export/store.py, ArtifactPlan)."""

    key: str
    fingerprint: str
    filename: str
    region_id: int
    slug: str
    language: str
    erasures: int = 0  # no contact details: an erasure never concerns the file
    include_contacts: bool = False

    @property
    def region_ids(self) -> list[int]:
        return [self.region_id]

    @property
    def stored_filters(self) -> dict[str, object]:
        return {"kind": BRIEF_PDF, "regions": [self.slug]}


def export_brief_pdf(
    session: Session,
    scope: Scope,
    request: BriefPdfRequest,
    *,
    actor_id: int,
    keep_days: int,
    tz: str = TIME_ZONE,
    job: str | None = None,
) -> StoredArtifact:
    """The stored PDF of the reader's brief of one region, printed unless an identical brief
    was printed before; audited here. NotFound for a region outside the scope."""
    with snapshot(session):
        region = brief_region(session, scope, request.region)
        brief = region_brief(session, scope, region.slug, language=request.language)
    stored = stored_brief_pdf(
        session,
        brief,
        region_id=region.id,
        key=request.key(scope),
        language=request.language,
        owner_id=actor_id,
        keep_days=keep_days,
        tz=tz,
    )
    with write_transaction(session):
        record(
            session,
            actor_id=actor_id,
            action=BRIEF_PDF_ACTION,
            target_type="export",
            target_id=None,
            region_id=region.id,
            after={
                "region": region.slug,
                "language": request.language,
                "filename": stored.filename,
                "cached": stored.cached,
                **({"job": job} if job is not None else {}),
            },
        )
    return stored


def shared_brief_pdf(
    session: Session, region_id: int, *, language: str, keep_days: int, tz: str = TIME_ZONE
) -> tuple[str, bytes]:
    """The PDF a share link gives, (file name, bytes): the shared brief (reviewed data only,
    nothing personal), one stored file per region and language whoever opens it."""
    with snapshot(session):
        brief = shared_brief(session, region_id, language=language)
    key = _key({"kind": BRIEF_PDF, "shared": region_id, "language": language})
    stored = stored_brief_pdf(
        session,
        brief,
        region_id=region_id,
        key=key,
        language=language,
        owner_id=None,
        keep_days=keep_days,
        tz=tz,
    )
    content = session.scalar(select(ExportArtifact.content).where(ExportArtifact.id == stored.id))
    session.rollback()
    if content is None:  # expired and swept between the two reads: print it again
        return shared_brief_pdf(session, region_id, language=language, keep_days=keep_days, tz=tz)
    return stored.filename, content


def stored_brief_pdf(
    session: Session,
    brief: RegionBrief,
    *,
    region_id: int,
    key: str,
    language: str,
    owner_id: int | None,
    keep_days: int,
    tz: str,
) -> StoredArtifact:
    now = dt.datetime.now(zone(tz))
    plan = BriefPlan(
        key=key,
        fingerprint=hashlib.sha256(repr(brief).encode()).hexdigest()[:32],
        filename=f"bilan-{brief.slug}-{language}-{now:%Y%m%d}.pdf",
        region_id=region_id,
        slug=brief.slug,
        language=language,
    )
    found = find_artifact(session, plan)
    session.rollback()
    if found is not None:
        return found
    # Printed outside any transaction: a long print holds no snapshot or lock.
    content = brief_pdf(brief_html(brief, language=language, generated_at=now, for_pdf=True))
    stored = store_artifact(
        session, plan, content, owner_id=owner_id, items=brief.figures.items, keep_days=keep_days
    )
    assert stored is not None  # refused only for files with contact details
    return stored


def _key(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]
