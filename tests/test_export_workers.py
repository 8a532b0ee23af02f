"""Exports on real worker processes and Redis: a killed worker's job is finished by another.

Each test has its own Redis namespace (uuid) and deletes its keys afterwards; workers are real
`flask --app feedback_app worker` processes on the test's database, slowed down per row by
tests/slow_worker.py (SLOW_WORKER_ROW_DELAY).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
import redis
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app import create_app
from feedback_app.extensions import taskqueue
from feedback_app.models import ExportArtifact, ExportJob, JobState, Role, TourStop
from tests.conftest import valid_payload
from tests.export_world import build_tour
from tests.staff import csrf_for, make_user, signed_in

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS_URL}"),
    pytest.mark.slow,
]


class Workers:
    """Worker processes of one test, all on the test's database and Redis namespace."""

    def __init__(
        self, root: Path, database_url: str, namespace: str, heartbeat: float, row_delay: float
    ) -> None:
        self.root, self.database_url, self.namespace = root, database_url, namespace
        self.heartbeat, self.row_delay = heartbeat, row_delay
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        instance = self.root / f"worker-{len(self.processes)}"
        instance.mkdir(parents=True)
        env = {
            **os.environ,
            "TOURNEE_ENV": "testing",
            "TOURNEE_INSTANCE_PATH": str(instance),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "TASKS_NAMESPACE": self.namespace,
            "TASKS_HEARTBEAT_TIMEOUT": str(self.heartbeat),
            "SLOW_WORKER_ROW_DELAY": str(self.row_delay),
        }
        log = (instance / "worker.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.slow_worker", "--app", "feedback_app", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def namespace() -> Iterator[str]:
    name = f"tournee-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{name}*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def workers(tmp_path: Path, database_url: str, namespace: str) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(heartbeat: float = 3, row_delay: float = 0.0) -> Workers:
        group = Workers(
            tmp_path / f"workers-{len(made)}", database_url, namespace, heartbeat, row_delay
        )
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop_all()


def _on_redis(app: Flask, namespace: str, heartbeat: float = 3) -> None:
    app.config.update(
        TASKS_BROKER_URL=REDIS_URL,
        TASKS_NAMESPACE=namespace,
        TASKS_HEARTBEAT_TIMEOUT=heartbeat,
        EXPORT_BACKGROUND_ABOVE=5,
    )
    taskqueue.init_app(app)


def _job(session: Session, job_id: str) -> ExportJob:
    session.rollback()
    job = session.get(ExportJob, job_id, populate_existing=True)
    assert job is not None
    return job


def _wait_for(
    session: Session, job_id: str, ready: Callable[[ExportJob], bool], timeout: float = 90
) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(session, job_id)
        if ready(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {_job(session, job_id).state} after {timeout} s")


def _start_export(app: Flask, client, **data: str) -> str:
    started = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client), **data})
    assert started.status_code == 303, started.get_data(as_text=True)[:300]
    return started.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_a_worker_killed_mid_build_has_its_job_finished_by_another(
    app, session, namespace, workers
) -> None:
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    heartbeat = float(os.environ.get("KILL_TEST_HEARTBEAT", "3"))
    _on_redis(app, namespace, heartbeat)
    group = workers(heartbeat=heartbeat, row_delay=0.4)  # 19 rows: about 8 s of building
    first = group.start()
    client = signed_in(app, "siege@example.ma")
    job_id = _start_export(app, client)

    running = _wait_for(session, job_id, lambda j: j.state is JobState.RUNNING)
    started_at = running.started_at
    time.sleep(1.5)  # a few rows into the build (row counts are reported every 1,000 rows)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    assert _job(session, job_id).state is JobState.RUNNING  # killed in the middle of it
    group.start()

    again = _wait_for(session, job_id, lambda j: j.started_at != started_at)
    redelivered = time.monotonic() - killed_at
    done = _wait_for(session, job_id, lambda j: j.state in (JobState.DONE, JobState.FAILED))
    print(f"\nredelivered {redelivered:.1f} s after the kill (heartbeat timeout {heartbeat:g} s)")
    assert again.state is JobState.RUNNING or done.state is JobState.DONE
    assert done.state is JobState.DONE and done.done == done.total == 19
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 1
    download = client.get(f"/hq/exports/jobs/{job_id}/file")
    assert download.status_code == 200 and download.mimetype == XLSX
    assert (
        len(openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames) == 30
    )  # 12 regions and their briefs, 5 others (Engagements included)


def test_two_web_hosts_share_only_postgresql_and_redis(
    app, session, database_url, namespace, workers, tmp_path, monkeypatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two hosts share PostgreSQL (TEST_DATABASE_URL)")
    tour = build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    code = session.get_one(TourStop, tour.stops["essaouira"]).code

    def host(name: str) -> Flask:
        folder = tmp_path / f"host-{name}"
        monkeypatch.setenv("TOURNEE_INSTANCE_PATH", str(folder))
        made = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "REDIS_URL": REDIS_URL,
                "TASKS_NAMESPACE": namespace,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_KEY_PREFIX": namespace,
                "RATELIMIT_SUBMISSIONS": "3 per minute",
                "EXPORT_BACKGROUND_ABOVE": 5,
            }
        )
        assert made.instance_path == str(folder)
        return made

    host_a, host_b = host("a"), host("b")
    workers(row_delay=0.3).start()

    # A submission posted on A is reviewable on B.
    posted = host_a.test_client().post(
        f"/api/v1/stops/{code}/submissions", json=valid_payload(organisation="Hôtel Partagé")
    )
    assert posted.status_code == 201
    on_a = signed_in(host_a, "siege@example.ma")
    on_b = host_b.test_client()
    on_b.set_cookie("session", on_a.get_cookie("session").value)
    review = on_b.get(f"/review/submissions/{posted.get_json()['id']}")
    assert review.status_code == 200 and "Hôtel Partagé" in review.get_data(as_text=True)

    # An export started on A shows its progress on B and downloads there.
    job_id = _start_export(host_a, on_a)
    seen: set[str] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = on_b.get(f"/hq/exports/jobs/{job_id}/status").get_json()
        seen.add(status["state"])
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert status["state"] == "done" and "running" in seen
    download = on_b.get(status["download"])
    assert download.status_code == 200 and download.mimetype == XLSX
    assert (
        len(openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames) == 30
    )  # 12 regions and their briefs, 5 others (Engagements included)

    # Signing out on A revokes the same cookie on B.
    assert on_a.post("/logout", data={"csrf_token": csrf_for(host_a, on_a)}).status_code == 302
    assert on_b.get("/hq/stops").status_code == 302

    # The submission rate limit (3 a minute here) counts on both hosts together.
    answers = [
        client.post(f"/api/v1/stops/{code}/submissions", json=valid_payload())
        for client in (host_a.test_client(), host_b.test_client(), host_b.test_client())
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
