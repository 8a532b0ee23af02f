"""Producing the synthesis workbook: one plan, then the stored workbook or a fresh build.

The same function serves the web download, the background job and `flask export xlsx`. A
workbook is stored in the database (services/export/store.py), keyed by the request (filters,
the reader's scope, language, contacts) and a fingerprint of the data: the same request over
unchanged data is served again without being rebuilt, and any submission or review change
makes a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
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
    write_workbook,
)
from feedback_app.services.export.store import StoredArtifact, find_artifact, store_artifact
from feedback_app.services.ideas.groups import regroup_if_stale

EXPORT_ACTION = "export.xlsx"
_ATTEMPTS = 3  # an erasure during a build makes it start again from a fresh snapshot

__all__ = ["ExportRequest", "Prepared", "audit_export", "prepare_export"]


@dataclass(frozen=True)
class Prepared:
    plan: ExportPlan
    artifact: StoredArtifact | None  # None: too large to build now (see `build_above`)


def prepare_export(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    owner_id: int | None,
    generated_by: str,
    keep_days: int = 7,
    build_above: int | None = None,
    on_plan: Callable[[ExportPlan], None] | None = None,
    progress: ProgressCallback | None = None,
    tz: str = TIME_ZONE,
    row_hook: Callable[[], None] | None = None,
) -> Prepared:
    """The stored workbook for this request, built now unless it has more than `build_above`
    items (then `artifact` is None and the caller starts a background job).

    Raises NotFound when the filters name a region or stop outside the scope. `on_plan` is told
    the plan (item count, file name) before the rows are written.
    """
    for _attempt in range(_ATTEMPTS):
        # The idea groups must be current in the workbook; regrouping changes the fingerprint,
        # so it comes before the plan.
        regroup_if_stale(session)
        with snapshot(session):
            plan = plan_export(session, scope, request, tz=tz)
            cached = find_artifact(session, plan)
            if cached is not None:
                return Prepared(plan, cached)
            if build_above is not None and plan.items > build_above:
                return Prepared(plan, None)
            if on_plan is not None:
                on_plan(plan)
            content = write_workbook(
                session,
                plan,
                generated_by=generated_by,
                progress=progress,
                tz=tz,
                row_hook=row_hook,
            )
        stored = store_artifact(
            session, plan, content, owner_id=owner_id, items=plan.items, keep_days=keep_days
        )
        if stored is not None:
            return Prepared(plan, stored)
    raise RuntimeError("contact details kept being erased during the export; try again")


def audit_export(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    actor_id: int | None,
    result: StoredArtifact | None = None,
    via: str = "web",
    job: str | None = None,
    own_transaction: bool = True,
) -> None:
    """Every export leaves a trace: who, which filters, how many items, cached or not.

    `own_transaction=False`: the audit row alone, inside the caller's write transaction.
    """
    with write_transaction(session) if own_transaction else nullcontext():
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
        }
        if result is not None:
            after.update(filename=result.filename, items=result.items, cached=result.cached)
        if job is not None:
            after["job"] = job
        record(
            session,
            actor_id=actor_id,
            action=EXPORT_ACTION,
            target_type="export",
            target_id=None,
            region_id=region_id,
            after=after,
        )


def _region_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Region.id).where(Region.slug == slug))
