"""Background exports: a job row in the database, built by a task-queue worker.

A job is started by the web request (or joined, when the same request of the same person is
already queued or running) and answered at once with a progress page; any web host reads its
state, progress and workbook from the database. A job is safe to run twice: a redelivered one
finds its workbook already stored (or stores it once) and ends `done`.

A job cannot hang: a running job's worker writes a heartbeat (its `updated_at`) every
HEARTBEAT_EVERY seconds, so one silent for RUNNING_STALE was interrupted; a queued job's
message is looked up in the broker (`is_pending`), so one the broker lost (restarted, flushed)
is failed as soon as someone looks. Either way the job is marked failed with the reason, its
slot in the per-user cap is freed, and asking again starts a new job.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import lazy_ngettext
from sqlalchemy import ColumnElement, Engine, delete, func, select, update
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import ExportJob, JobFailure, JobState, User
from feedback_app.models.types import utcnow
from feedback_app.services.access import Scope, scope_for
from feedback_app.services.errors import DomainError, NoSpace, NotFound
from feedback_app.services.export.brief_pdf import (
    BRIEF_PDF,
    BriefPdfRequest,
    export_brief_pdf,
    is_brief_pdf,
)
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportPlan, ExportRequest
from feedback_app.services.export.review_list import ListRequest, build_list_file
from feedback_app.services.ideas.groups import refresh_for_export

log = logging.getLogger(__name__)
# A running job writes its progress at least this often, and a heartbeat besides (while it
# plans or zips); silent for RUNNING_STALE it was interrupted (and, with Redis, its message
# goes back to another worker after TASKS_HEARTBEAT_TIMEOUT, which is shorter).
PROGRESS_EVERY = 0.5
HEARTBEAT_EVERY = 10.0
RUNNING_STALE = dt.timedelta(seconds=45)
# A queued job is looked up in the broker once it is this old (the message is sent just after
# the job's row is committed). When the broker cannot tell (in-process mode), a queued job
# nobody picked up for QUEUED_STALE was lost (web restarted).
QUEUED_GRACE = dt.timedelta(seconds=5)
QUEUED_STALE = dt.timedelta(hours=1)

# Asks the broker whether a message still exists: True, False, or None when it cannot tell.
PendingCheck = Callable[[str], bool | None]


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


WORKBOOK, LIST = "workbook", "list"


@dataclass(frozen=True)
class JobStatus:
    id: str
    state: str  # queued, running, done, failed
    done: int
    total: int
    position: int | None  # in the queue, when queued
    artifact_id: int | None
    failure: str | None = None  # a JobFailure value, when failed
    kind: str = WORKBOOK  # or BRIEF_PDF, or LIST (a filtered review list)

    @property
    def is_list(self) -> bool:
        return self.kind == LIST


def _alive() -> ColumnElement[bool]:
    """Queued or running: call `settle_jobs` first, so that only jobs really alive count."""
    return ExportJob.state.in_((JobState.QUEUED, JobState.RUNNING))


def start_job(
    session: Session,
    scope: Scope,
    request: ExportRequest | BriefPdfRequest | ListRequest,
    *,
    owner_id: int,
    generated_by: str,
    tz: str,
    total: int,
    limit: int,
    enqueue: Callable[[str], str],
    is_pending: PendingCheck,
) -> str:
    """The id of a new job (queued, then sent with `enqueue`, which returns the broker's
    message id), or of the same request's job already queued or running. Raises TooManyJobs at
    `limit` jobs really in progress (lost ones are failed first, see `settle_jobs`); whatever
    `enqueue` raises (broker down) leaves no job behind."""
    request.ensure_allowed(scope)
    key = request.key(scope)
    settle_jobs(session, is_pending, owner_id=owner_id)
    now = utcnow()
    with write_transaction(session):
        running = session.scalar(
            select(ExportJob.id).where(
                ExportJob.owner_id == owner_id, ExportJob.request_key == key, _alive()
            )
        )
        if running is not None:
            return running
        in_progress = (
            session.scalar(
                select(func.count())
                .select_from(ExportJob)
                .where(ExportJob.owner_id == owner_id, _alive())
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
        message_id = enqueue(job_id)
    except Exception:
        with write_transaction(session):
            session.execute(delete(ExportJob).where(ExportJob.id == job_id))
        raise
    with write_transaction(session):
        session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(message_id=message_id)
        )
    return job_id


def settle_jobs(
    session: Session,
    is_pending: PendingCheck,
    *,
    owner_id: int | None = None,
    job_id: str | None = None,
) -> int:
    """Fail the unfinished jobs (of one owner, or one job) that nobody will ever finish: running
    ones silent for RUNNING_STALE (`interrupted`), queued ones whose message the broker no
    longer holds (`lost`). Returns how many were failed."""
    now = utcnow()
    with write_transaction(session):
        query = select(ExportJob).where(ExportJob.state.in_((JobState.QUEUED, JobState.RUNNING)))
        if owner_id is not None:
            query = query.where(ExportJob.owner_id == owner_id)
        if job_id is not None:
            query = query.where(ExportJob.id == job_id)
        failed = 0
        for job in session.scalars(query.with_for_update()).all():
            reason = _why_dead(job, now, is_pending)
            if reason is not None:
                job.state, job.failure = JobState.FAILED, reason.value
                job.finished_at = job.updated_at = now
                failed += 1
                log.warning("export job %s failed: %s", job.id, reason.value)
    return failed


def _why_dead(job: ExportJob, now: dt.datetime, is_pending: PendingCheck) -> JobFailure | None:
    if job.state is JobState.RUNNING:
        return JobFailure.INTERRUPTED if job.updated_at <= now - RUNNING_STALE else None
    if job.created_at > now - QUEUED_GRACE:
        return None  # being sent right now
    if job.message_id is None:
        return JobFailure.LOST  # the web process died between the commit and the send
    pending = is_pending(job.message_id)
    if pending is None:  # the broker cannot tell: only age says the job was lost
        return JobFailure.LOST if job.created_at <= now - QUEUED_STALE else None
    return None if pending else JobFailure.LOST


def job_status(session: Session, job_id: str, user: User, is_pending: PendingCheck) -> JobStatus:
    """The job as its owner sees it; anybody else (or a deactivated account): NotFound. A job
    nobody will finish (see `settle_jobs`) is failed on the way."""
    session.rollback()  # end any older read: progress is written elsewhere
    job = session.get(ExportJob, job_id, populate_existing=True) if len(job_id) <= 40 else None
    if job is None or job.owner_id != user.id or not user.active:
        raise NotFound("export job")
    if job.state in (JobState.QUEUED, JobState.RUNNING) and settle_jobs(
        session, is_pending, job_id=job_id
    ):
        job = session.get(ExportJob, job_id, populate_existing=True)
        assert job is not None
    now = utcnow()
    state, failure = job.state.value, job.failure
    if job.state is JobState.DONE and job.artifact_id is None:
        state, failure = "failed", "expired"  # its workbook was erased or expired since
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
    kind = (
        LIST
        if ListRequest.describes(job.request)
        else BRIEF_PDF
        if is_brief_pdf(job.request)
        else WORKBOOK
    )
    return JobStatus(
        job.id, state, job.done, job.total, position, job.artifact_id, failure, kind=kind
    )


def run_job(
    session: Session,
    engine: Engine,
    job_id: str,
    *,
    keep_days: int,
    full_interval: float | None = None,
) -> None:
    """Bring the idea groups up to date as far as an export may wait (`refresh_for_export`,
    with the background task's `full_interval`), then build, store and audit the job's workbook
    or PDF brief, or a filtered review list (the task body). Safe to run twice."""
    job = session.get(ExportJob, job_id)
    if job is None or job.state is JobState.DONE:
        return  # deleted, or a redelivery of a job already finished
    owner = session.get(User, job.owner_id)
    data, key = job.request, job.request_key
    generated_by, tz = job.generated_by, job.tz
    session.rollback()
    if owner is None or not owner.active:
        _fail(engine, job_id, JobFailure.ACCESS)
        return
    # The owner's scope now, not when they clicked: a delegate moved meanwhile gets nothing
    # of the old region (the plan answers NotFound and the job fails).
    scope = scope_for(owner)
    _set(engine, job_id, state=JobState.RUNNING, done=0, started_at=utcnow(), failure=None)
    last = [0.0]

    def on_plan(plan: ExportPlan) -> None:
        _set(engine, job_id, total=plan.items)

    def on_total(total: int) -> None:
        _set(engine, job_id, total=total)

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            _set(engine, job_id, done=done)

    try:
        with _heartbeat(engine, job_id):
            if ListRequest.describes(data):
                # A filtered review list (too large to write within a request).
                artifact = build_list_file(
                    session,
                    scope,
                    ListRequest.from_dict(data),
                    key=key,
                    owner_id=owner.id,
                    keep_days=keep_days,
                    tz=tz,
                    on_total=on_total,
                    progress=progress,
                )
            elif is_brief_pdf(data):
                # The brief's ideas, as current as an export may wait for.
                refresh_for_export(session, full_interval=full_interval)
                artifact = export_brief_pdf(
                    session,
                    scope,
                    BriefPdfRequest.from_dict(data),
                    actor_id=owner.id,
                    keep_days=keep_days,
                    tz=tz,
                    job=job_id,
                )
            else:
                # New items join their groups first (a full regrouping is the background
                # task's): placing them changes the fingerprint, so it comes before the plan.
                refresh_for_export(session, full_interval=full_interval)
                artifact = export_workbook(
                    session,
                    scope,
                    ExportRequest.from_dict(data),
                    actor_id=owner.id,
                    generated_by=generated_by,
                    keep_days=keep_days,
                    tz=tz,
                    job=job_id,
                    on_plan=on_plan,
                    progress=progress,
                )
    except NoSpace:
        log.error("export job %s failed: no space left for the build", job_id)
        _fail(engine, job_id, JobFailure.NO_SPACE)
        return
    except NotFound:
        _fail(engine, job_id, JobFailure.ACCESS)  # the owner's regions changed meanwhile
        return
    except Exception:
        log.exception("export job %s failed", job_id)
        _fail(engine, job_id, JobFailure.ERROR)
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


def _fail(engine: Engine, job_id: str, reason: JobFailure) -> None:
    _set(engine, job_id, state=JobState.FAILED, failure=reason.value, finished_at=utcnow())


@contextmanager
def _heartbeat(engine: Engine, job_id: str) -> Iterator[None]:
    """Touch the job every HEARTBEAT_EVERY seconds while the block runs, whatever it does
    (regrouping, planning, zipping write no progress): a job silent longer has died."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_EVERY):
            try:
                _set(engine, job_id)
            except Exception:  # the database is away for a moment: the next beat may pass
                log.warning("export job %s: heartbeat not written", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"export-heartbeat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _set(engine: Engine, job_id: str, **values: object) -> None:
    """Progress goes through its own short transaction: the build's snapshot stays open."""
    with engine.begin() as connection:
        connection.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(updated_at=utcnow(), **values)
        )
