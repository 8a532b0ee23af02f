"""The background export: build a job's workbook into the database."""

from __future__ import annotations

from flask import current_app

from feedback_app.extensions import db, taskqueue
from feedback_app.services.export.jobs import run_job
from feedback_app.tasks.grouping import full_interval, groups_as_they_are


@taskqueue.task(queue="exports", time_limit_s=3600)
def build_export(job_id: str) -> None:
    run_job(
        db.session,
        db.engine,
        job_id,
        keep_days=int(current_app.config["EXPORT_KEEP_DAYS"]),
        full_interval=full_interval(),
    )
    # What the export left to the background regrouping (too many new items to place) is
    # queued, as a page would.
    groups_as_they_are()
