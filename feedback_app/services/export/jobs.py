"""Background exports: a job row in the database, built by a task-queue worker.

A job is started by the web request (or joined, when the same request of the same person is
already queued or running) and answered at once with a progress page; any web host reads its
state, progress and workbook from the database. A job is safe to run twice: a redelivered one
finds its workbook already stored (or stores it once) and ends `done`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_ngettext
from sqlalchemy import ColumnElement, Engine, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import ExportJob, JobState, User
from feedback_app.models.types import utcnow
from feedback_app.services.access import Scope, scope_for
from feedback_app.services.errors import DomainError, NotFound
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportPlan, ExportRequest
from feedback_app.services.ideas.groups import regroup_if_stale

log = logging.getLogger(__name__)
# A running job writes its progress at least this often; silent for RUNNING_STALE it was
# interrupted (and, with Redis, is delivered again to another worker).
PROGRESS_EVERY = 0.5
RUNNING_STALE = dt.timedelta(seconds=120)
# A queued job nobody picked up for this long was lost (in-process mode, web restarted).
QUEUED_STALE = dt.timedelta(hours=1)


class TooManyJobs(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit
        self.message = lazy_ngettext(
            "Vous avez déjà %(num)d export en préparation : attendez qu'il se termine avant "
            "d'en lancer un autre.",
            "Vous avez déjà %(num)d exports en préparation : attendez qu'un export se termine "
            "avant d'en lancer un autre.",
            limit,
        )


@dataclass(frozen=True)
class JobStatus:
    id: str
    state: str  # queued, running, done, failed
    done: int
    total: int
    position: int | None  # in the queue, when queued
    artifact_id: int | None


def _alive(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(ExportJob.state == JobState.QUEUED, ExportJob.created_at > now - QUEUED_STALE),
        and_(ExportJob.state == JobState.RUNNING, ExportJob.updated_at > now - RUNNING_STALE),
    )


def start_job(
    session: Session,
    scope: Scope,
    request: ExportRequest,
    *,
    owner_id: int,
    generated_by: str,
    tz: str,
    total: int,
    limit: int,
    enqueue: Callable[[str], object],
) -> str:
    """The id of a new job (queued, then sent with `enqueue`), or of the same request's job
    already queued or running. Raises TooManyJobs at `limit` jobs in progress; whatever
    `enqueue` raises (broker down) leaves no job behind."""
    request.ensure_allowed(scope)
    key = request.key(scope)
    now = utcnow()
    with write_transaction(session):
        running = session.scalar(
            select(ExportJob.id).where(
                ExportJob.owner_id == owner_id, ExportJob.request_key == key, _alive(now)
            )
        )
        if running is not None:
            return running
        in_progress = (
            session.scalar(
                select(func.count())
                .select_from(ExportJob)
                .where(ExportJob.owner_id == owner_id, _alive(now))
            )
            or 0
        )
        if in_progress >= limit:
            raise TooManyJobs(limit)
        job = ExportJob(
            id=secrets.token_urlsafe(18),
            owner_id=owner_id,
            request_key=key,
            request=request.as_dict(),
            generated_by=generated_by[:400],
            tz=tz,
            state=JobState.QUEUED,
            total=total,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        job_id = job.id
    try:
        enqueue(job_id)
    except Exception:
        with write_transaction(session):
            session.execute(delete(ExportJob).where(ExportJob.id == job_id))
        raise
    return job_id


def job_status(session: Session, job_id: str, user: User) -> JobStatus:
    """The job as its owner sees it; anybody else (or a deactivated account): NotFound."""
    session.rollback()  # a read-only look: end any older read, progress is written elsewhere
    job = session.get(ExportJob, job_id, populate_existing=True) if len(job_id) <= 40 else None
    if job is None or job.owner_id != user.id or not user.active:
        raise NotFound("export job")
    now = utcnow()
    state = job.state.value
    if job.state is JobState.RUNNING and job.updated_at <= now - RUNNING_STALE:
        state = "failed"
    if job.state is JobState.QUEUED and job.created_at <= now - QUEUED_STALE:
        state = "failed"
    if job.state is JobState.DONE and job.artifact_id is None:
        state = "failed"  # its workbook was erased or expired since: start again
    position = None
    if state == "queued":
        position = 1 + (
            session.scalar(
                select(func.count())
                .select_from(ExportJob)
                .where(
                    ExportJob.state == JobState.QUEUED,
                    ExportJob.created_at < job.created_at,
                    ExportJob.created_at > now - QUEUED_STALE,
                )
            )
            or 0
        )
    return JobStatus(job.id, state, job.done, job.total, position, job.artifact_id)


def run_job(
    session: Session,
    engine: Engine,
    job_id: str,
    *,
    keep_days: int,
) -> None:
    """Regroup the ideas if the data changed, then build, store and audit the job's workbook
    (the task body). Safe to run twice."""
    job = session.get(ExportJob, job_id)
    if job is None or job.state is JobState.DONE:
        return  # deleted, or a redelivery of a job already finished
    owner = session.get(User, job.owner_id)
    request = ExportRequest.from_dict(job.request)
    generated_by, tz = job.generated_by, job.tz
    session.rollback()
    if owner is None or not owner.active:
        _set(engine, job_id, state=JobState.FAILED, finished_at=utcnow())
        return
    # The owner's scope now, not when they clicked: a delegate moved meanwhile gets nothing
    # of the old region (the plan answers NotFound and the job fails).
    scope = scope_for(owner)
    _set(engine, job_id, state=JobState.RUNNING, done=0, started_at=utcnow())
    last = [0.0]

    def on_plan(plan: ExportPlan) -> None:
        _set(engine, job_id, total=plan.items)

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            _set(engine, job_id, done=done)

    try:
        # The idea groups must be current in the workbook; regrouping changes the fingerprint,
        # so it comes before the plan.
        regroup_if_stale(session)
        artifact = export_workbook(
            session,
            scope,
            request,
            actor_id=owner.id,
            generated_by=generated_by,
            keep_days=keep_days,
            tz=tz,
            job=job_id,
            on_plan=on_plan,
            progress=progress,
        )
    except Exception:
        log.exception("export job %s failed", job_id)
        _set(engine, job_id, state=JobState.FAILED, finished_at=utcnow())
        return
    _set(
        engine,
        job_id,
        state=JobState.DONE,
        done=artifact.items,
        total=artifact.items,
        artifact_id=artifact.id,
        finished_at=utcnow(),
    )


def _set(engine: Engine, job_id: str, **values: object) -> None:
    """Progress goes through its own short transaction: the build's snapshot stays open."""
    with engine.begin() as connection:
        connection.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(updated_at=utcnow(), **values)
        )
