"""The background export: build a job's workbook into the database."""

from __future__ import annotations

from flask import current_app

from feedback_app.extensions import db, taskqueue
from feedback_app.services.export.jobs import run_job
from feedback_app.services.export.plan import row_delay_hook


@taskqueue.task(queue="exports", time_limit_s=3600)
def build_export(job_id: str) -> None:
    config = current_app.config
    run_job(
        db.session,
        db.engine,
        job_id,
        keep_days=int(config["EXPORT_KEEP_DAYS"]),
        row_delay=row_delay_hook(float(config.get("EXPORT_TEST_ROW_DELAY", 0))),
    )
