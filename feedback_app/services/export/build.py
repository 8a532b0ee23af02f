"""Producing the synthesis workbook: a cheap estimate, then the stored workbook or a fresh build.

The web request asks `estimate_export`, then builds a small workbook at once (`export_workbook`)
or queues a job (services/export/jobs.py) whose worker regroups the ideas and calls the same
`export_workbook`, as `flask export xlsx` does. A workbook is stored in the database
(services/export/store.py), keyed by the request (filters, the reader's scope, language,
contacts) and a fingerprint of the data: the same request over unchanged data is served again
without being rebuilt, and any submission or review change makes a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.exports.data import ProgressCallback
from feedback_app.locales import TIME_ZONE
from feedback_app.models import Region
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.export.plan import (
    ExportPlan,
    ExportRequest,
    plan_export,
    snapshot,
    written_workbook,
)
from feedback_app.services.export.store import StoredArtifact, find_artifact, store_artifact

EXPORT_ACTION = "export.xlsx"
_ATTEMPTS = 3  # an erasure during a build makes it start again from a fresh snapshot


@dataclass(frozen=True)
class Estimate:
    items: int
    cached: bool  # a stored workbook answers the request as it stands


def estimate_export(
    session: Session, scope: Scope, request: ExportRequest, *, tz: str = TIME_ZONE
) -> Estimate:
    """What the web request needs to choose between a build now and a background job: the item
    count and whether a stored workbook answers. A few aggregate queries, nothing regrouped or
    built. Raises NotFound when the filters name a region or stop outside the scope."""
    with snapshot(session):
        plan = plan_export(session, scope, request, tz=tz)
        return Estimate(plan.items, find_artifact(session, plan) is not None)


def export_workbook(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    actor_id: int | None,
    generated_by: str,
    keep_days: int = 7,
    tz: str = TIME_ZONE,
    via: str = "web",
    job: str | None = None,
    on_plan: Callable[[ExportPlan], None] | None = None,
    progress: ProgressCallback | None = None,
) -> StoredArtifact:
    """The stored workbook for this request, built now unless the same request over the same
    data was stored before; the export's audit row (who, which filters, how many items, cached
    or not) is written here and nowhere else.

    The idea groups are read as they are: the worker (and `flask export xlsx`) regroups first.
    Raises NotFound when the filters name a region or stop outside the scope. `on_plan` is told
    the plan (item count, file name) before the rows are written.
    """
    for _attempt in range(_ATTEMPTS):
        with ExitStack() as built:  # the file stays until it is stored
            with snapshot(session):
                plan = plan_export(session, scope, request, tz=tz)
                stored = find_artifact(session, plan)
                if stored is None:
                    if on_plan is not None:
                        on_plan(plan)
                    path = built.enter_context(
                        written_workbook(
                            session, plan, generated_by=generated_by, progress=progress, tz=tz
                        )
                    )
            if stored is None:
                stored = store_artifact(
                    session, plan, path, owner_id=actor_id, items=plan.items, keep_days=keep_days
                )
        if stored is not None:
            break
    else:
        raise RuntimeError("contact details kept being erased during the export; try again")
    with write_transaction(session):
        slugs = request.filters.region_slugs
        region_id = None
        if len(slugs) == 1 or (scope.region_ids is not None and len(scope.region_ids) == 1):
            region_id = (
                _region_id(session, slugs[0]) if slugs else next(iter(scope.region_ids or []))
            )
        after: dict[str, object] = {
            **request.filters.as_dict(),
            "language": request.language,
            "contacts": request.include_contacts,
            "via": via,
            "filename": stored.filename,
            "items": stored.items,
            "cached": stored.cached,
            **({"job": job} if job is not None else {}),
        }
        record(
            session,
            actor_id=actor_id,
            action=EXPORT_ACTION,
            target_type="export",
            target_id=None,
            region_id=region_id,
            after=after,
        )
    return stored


def _region_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Region.id).where(Region.slug == slug))
