"""Long exports run in a background thread; a status file says how far they are.

A gunicorn sync worker is killed after 30 s of silence, so a workbook of many thousand rows
is never built inside the request: the request starts a job and answers at once with a
progress page that polls the status file. The status file lives beside the cached workbooks
(instance/exports/jobs/<id>.json); a job whose status has not moved for a while is reported
as interrupted (its worker was restarted).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask

from feedback_app.extensions import db
from feedback_app.services.access import Scope
from feedback_app.services.export_files import ExportRequest, produce

log = logging.getLogger(__name__)
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
_FILE = re.compile(r"^[0-9a-f]{24}-[0-9a-f]{32}\.xlsx$")
STALE_SECONDS = 120
_WRITE_EVERY = 0.5  # seconds between two progress writes
_lock = threading.Lock()
_running: dict[str, str] = {}  # request key + user -> job id, so a double click starts one job
threads: dict[str, threading.Thread] = {}  # job id -> thread (tests join them)


def _jobs_dir(directory: Path) -> Path:
    path = directory / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(directory: Path, job_id: str, status: dict[str, Any]) -> None:
    path = _jobs_dir(directory) / f"{job_id}.json"
    partial = path.with_suffix(f".{secrets.token_hex(3)}.tmp")
    partial.write_text(json.dumps({**status, "updated": time.time()}))
    os.replace(partial, path)  # a reader never sees half a status


def read(directory: Path, job_id: str, user_id: int | None) -> dict[str, Any] | None:
    """The job's status, or None when it does not exist or belongs to someone else."""
    if not _JOB_ID.match(job_id):
        return None
    try:
        status = json.loads((_jobs_dir(directory) / f"{job_id}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if status.get("user_id") != user_id:
        return None
    if status.get("state") == "running" and time.time() - status.get("updated", 0) > STALE_SECONDS:
        status["state"] = "failed"
    if status.get("state") == "done":
        name = str(status.get("file", ""))
        if not _FILE.match(name) or not (directory / name).is_file():
            status["state"] = "failed"  # pruned since: the reader asks again
    return status


def start(app: Flask, scope: Scope, request: ExportRequest, *, directory: Path,
          user_id: int | None, generated_by: str, total: int, tz: str) -> str:
    """Start building in the background (or join the same request's running job)."""
    key = f"{request.key(scope)}:{user_id}"
    with _lock:
        for done_id in [j for j, t in threads.items() if not t.is_alive()]:
            del threads[done_id]
        for old in _jobs_dir(directory).glob("*.json"):
            if time.time() - old.stat().st_mtime > 7 * 24 * 3600:
                old.unlink(missing_ok=True)
        job_id = _running.get(key)
        if job_id and threads.get(job_id) and threads[job_id].is_alive():
            return job_id
        job_id = secrets.token_urlsafe(18)
        _write(directory, job_id, {"state": "running", "done": 0, "total": total,
                                   "user_id": user_id})
        thread = threading.Thread(
            target=_run, name=f"export-{job_id[:6]}", daemon=True,
            args=(app, job_id, scope, request, directory, user_id, generated_by, total, tz),
        )
        _running[key] = job_id
        threads[job_id] = thread
        thread.start()
    return job_id


def _run(app: Flask, job_id: str, scope: Scope, request: ExportRequest, directory: Path,
         user_id: int | None, generated_by: str, total: int, tz: str) -> None:
    last = [0.0]

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= _WRITE_EVERY:
            last[0] = now
            _write(directory, job_id, {"state": "running", "done": done, "total": total,
                                       "user_id": user_id})

    with app.app_context():
        try:
            result = produce(db.session, scope, request, directory=directory,
                             generated_by=generated_by, progress=progress, tz=tz)
            _write(directory, job_id, {
                "state": "done", "done": result.items, "total": result.items,
                "user_id": user_id, "file": result.path.name, "filename": result.filename,
            })
        except Exception:
            log.exception("export job %s failed", job_id)
            _write(directory, job_id, {"state": "failed", "done": 0, "total": total,
                                       "user_id": user_id})
        finally:
            db.session.remove()
