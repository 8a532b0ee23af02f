"""Real faults against services each test starts itself (tests/faults.py): a PostgreSQL cluster
stopped under posting clients, a redis-server killed under posts and exports, a full build disk.

Marked `faults`; skipped with the reason when Debian's PostgreSQL binaries, redis-server or root
(for a tmpfs) are missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from feedback_app import create_app
from feedback_app.extensions import db, taskqueue
from feedback_app.models import Role
from feedback_app.services.access import scope_for
from feedback_app.services.export import plan
from feedback_app.services.export.jobs import run_job, start_job
from feedback_app.services.export.plan import ExportRequest
from tests.conftest import _migrate
from tests.export_world import build_tour
from tests.faults import (
    Posting,
    fill,
    gunicorn,
    open_fds,
    own_postgres,
    own_redis,
    tiny_filesystem,
)
from tests.staff import PASSWORD, add_stop, csrf_for, make_user, session_for, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

pytestmark = pytest.mark.faults


def _stored(url: str, code: str) -> list[str]:
    """The client ids stored at the stop `code`."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT client_id FROM submissions JOIN tour_stops "
                    "ON tour_stops.id = submissions.stop_id WHERE tour_stops.code = :code"
                ),
                {"code": code},
            )
            return [str(uuid.UUID(str(r[0]))) for r in rows]  # SQLite keeps them as hex
    finally:
        engine.dispose()


def _seed(url: str, *, hq: bool = False) -> str:
    """Migrate the database at `url` and open a stop in it; returns the stop's code."""
    _migrate(url)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        code = add_stop(db.session).code
        if hq:
            make_user(db.session, "siege@example.ma", role=Role.HQ, regions=())
        db.session.remove()
        db.engine.dispose()
    return code


def test_postgresql_stopped_and_restarted_under_posting_clients(tmp_path: Path) -> None:
    """Acknowledged = stored, nothing twice, no 500 (503 while it is down), and the same
    server processes serve again once it is back: no restart of the app."""
    with own_postgres() as pg:
        code = _seed(pg.url)
        with gunicorn(tmp_path / "web", {"DATABASE_URL": pg.url}) as server:
            posting = Posting(server.url, code)
            with posting.running(clients=4):
                posting.wait_for_acks(10)
                pg.stop()
                down_at = time.monotonic()
                time.sleep(4)
                page = requests.get(f"{server.url}/f/{code}?lang=en", timeout=15)
                pg.start()
                back = len(posting.acknowledged)
                posting.wait_for_acks(back + 10)
                recovered_in = time.monotonic() - down_at - 4
            assert page.status_code == 503
            assert page.headers["Retry-After"] == "30"
            assert "temporarily unavailable" in page.text  # in the reader's language
        stored = _stored(pg.url, code)
    print(
        f"\nstatuses {dict(sorted(posting.statuses.items()))}, {len(posting.acknowledged)} "
        f"acknowledged, posts again {recovered_in:.1f} s after the restart"
    )
    assert posting.count(500, 502) + posting.count(504, 599) == 0, posting.statuses
    assert posting.count(503, 503) > 0  # the outage was met, and answered 503
    assert not posting.refused
    assert len(stored) == len(set(stored))  # nothing stored twice
    assert set(stored) == posting.acknowledged  # every acknowledged one stored, nothing else


def test_a_build_that_fills_the_disk_midway_answers_507_and_lets_go_of_its_files(
    app, session, monkeypatch
) -> None:
    """The disk fills while the workbook is written (the free-space check passed: someone
    else took the space meanwhile). Each failed build closes and deletes its temporary files,
    so the next one, once space is back, works."""
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = signed_in(app, "siege@example.ma")
    with tiny_filesystem("2m") as folder:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        monkeypatch.setattr(plan, "BUILD_BYTES_FLOOR", 0)  # let the builds start
        monkeypatch.setattr(plan, "BUILD_BYTES_PER_ITEM", 0)
        warm = _post_export(app, client, language="fr")
        assert warm.status_code == 200
        before = open_fds(os.getpid())

        filler = fill(folder, leave=16 * 1024)
        refused = [_post_export(app, client, language=lang) for lang in ("ar", "en")]
        leaked = open_fds(os.getpid()) - before
        left_behind = [p.name for p in folder.iterdir() if p != filler]
        filler.unlink()
        space_back = _post_export(app, client, language="ar")

    assert [r.status_code for r in refused] == [507, 507]
    assert "مساحة القرص" in refused[0].get_data(as_text=True)  # the reader's language
    assert "disk space" in refused[1].get_data(as_text=True)
    assert leaked <= 0, f"{leaked} file handles left open by two failed builds"
    assert left_behind == []  # no temporary file or folder stays on the full disk
    assert space_back.status_code == 200 and space_back.mimetype == XLSX


def test_a_job_that_runs_out_of_space_fails_and_says_so(app, session, monkeypatch) -> None:
    build_tour(session)
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = signed_in(app, "siege@example.ma")
    with tiny_filesystem("1m") as folder:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        job_id = start_job(
            session,
            scope_for(hq),
            ExportRequest(language="en"),
            owner_id=hq.id,
            generated_by="Siège",
            tz="Africa/Casablanca",
            total=19,
            limit=3,
            enqueue=lambda job: f"message-{job}",
            is_pending=lambda message: True,
        )
        run_job(session, db.engine, job_id, keep_days=7)
    page = client.get(f"/hq/exports/jobs/{job_id}?lang=en").get_data(as_text=True)
    status = client.get(f"/hq/exports/jobs/{job_id}/status").json
    assert status["state"] == "failed" and status["failure"] == "no_space"
    assert "ran out of disk space" in page


def test_the_web_says_so_before_a_build_the_disk_has_no_room_for(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Through a real server whose TMPDIR is nearly full: the build is refused before it starts
    (507, in the reader's language), and the same server builds once space is back."""
    database = tmp_path / "tournee.sqlite"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    _seed_export(url)
    with tiny_filesystem("4m") as folder:
        env = {"DATABASE_URL": url, "TMPDIR": str(folder)}
        with gunicorn(tmp_path / "web", env, workers=1) as server:
            http = _signed_in(server.url)
            filler = fill(folder, leave=64 * 1024)
            refused = _export(http, server.url, language="en")
            filler.unlink()
            after = _export(http, server.url, language="en")
    assert refused.status_code == 507, refused.text[:300]
    assert "disk space" in refused.text
    assert after.status_code == 200
    assert after.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def _post_export(app, client, **fields: str):
    return client.post(
        f"/hq/exports?lang={fields.get('language', 'fr')}",
        data={"csrf_token": csrf_for(app, client), "contacts": "y", **fields},
    )


def _seed_export(url: str) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        build_tour(db.session)
        make_user(db.session, "siege@example.ma", role=Role.HQ, regions=())
        db.session.remove()
        db.engine.dispose()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _signed_in(base: str) -> requests.Session:
    http = requests.Session()
    token = _csrf(http.get(f"{base}/login", timeout=15).text)
    answer = http.post(
        f"{base}/login",
        data={"email": "siege@example.ma", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=15,
    )
    assert answer.status_code in (302, 303), answer.text[:300]
    return http


def _export(http: requests.Session, base: str, **fields: str) -> requests.Response:
    token = _csrf(http.get(f"{base}/hq/exports", timeout=15).text)
    return http.post(
        f"{base}/hq/exports?lang={fields.get('language', 'fr')}",
        data={"csrf_token": token, "contacts": "y", **fields},
        allow_redirects=False,
        timeout=30,
    )


def test_redis_killed_and_restarted_under_posts_and_exports(
    app, session, database_url: str, tmp_path: Path
) -> None:
    """Posts go on through the outage (limits fall back per process, said once per process);
    an export asked meanwhile is refused with 503; the job whose message the restart lost is
    failed as soon as its page is looked at, its slot is freed, and asking again builds."""
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    make_user(session, "hq2@example.ma", role=Role.HQ, regions=())
    code = add_stop(session).code
    with own_redis(tmp_path) as broker:
        app.config.update(
            TASKS_BROKER_URL=broker.url,
            TASKS_NAMESPACE="tournee-faults",
            EXPORT_BACKGROUND_ABOVE=5,
            EXPORT_JOBS_PER_USER=1,
        )
        taskqueue.init_app(app)
        hq, other = (
            session_for(app, session, "siege@example.ma"),
            session_for(app, session, "hq2@example.ma"),
        )
        env = {"DATABASE_URL": database_url, "REDIS_URL": broker.url, "RATELIMIT_ENABLED": "1"}
        # Limits high enough for the clients' pace: the counters must keep working, not refuse.
        limits = 'RATELIMIT_SUBMISSIONS = "10000 per minute"\n'
        with gunicorn(tmp_path / "web", env, config=limits) as server:
            posting = Posting(server.url, code)
            with posting.running(clients=3):
                posting.wait_for_acks(5)
                lost = _job_id(_post_export(app, hq))
                asked_at = time.monotonic()
                assert _status(hq, lost)["state"] == "queued"

                broker.kill()
                down = posting.count(200, 201)
                time.sleep(3)
                refused = _post_export(app, other, language="en")
                posting.wait_for_acks(len(posting.acknowledged) + 5)
                assert posting.count(200, 201) > down  # posts went on without Redis
                broker.start()  # empty: the queued message is gone
                with _worker(tmp_path / "worker", database_url, broker.url):
                    time.sleep(max(0.0, 6 - (time.monotonic() - asked_at)))  # QUEUED_GRACE
                    seen = _status(hq, lost)
                    seen_after = time.monotonic() - asked_at
                    again = _job_id(_post_export(app, hq, language="en"))  # cap 1: slot freed
                    deadline = time.monotonic() + 60
                    while _status(hq, again)["state"] in ("queued", "running"):
                        assert time.monotonic() < deadline, "the new job never finished"
                        time.sleep(0.3)
                posting.wait_for_acks(len(posting.acknowledged) + 5)
            log = server.log.read_text(errors="replace")
        stored = _stored(database_url, code)

    assert refused.status_code == 503
    assert "Try again in a few minutes" in refused.get_data(as_text=True)
    assert (seen["state"], seen["failure"]) == ("failed", "lost")
    assert again != lost and _status(hq, again)["state"] == "done"
    assert hq.get(f"/hq/exports/jobs/{again}/file").mimetype == XLSX
    print(
        f"\nstatuses {dict(sorted(posting.statuses.items()))}; "
        f"the lost job seen failed {seen_after:.1f} s after it was asked"
    )
    assert posting.count(500, 599) == 0, posting.statuses
    assert len(stored) == len(set(stored)) and set(stored) == posting.acknowledged
    assert 1 <= log.count("rate-limit storage (Redis) unreachable") <= 2  # once per worker


def _job_id(answer) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def _status(client, job_id: str) -> dict:
    return client.get(f"/hq/exports/jobs/{job_id}/status").json


@contextlib.contextmanager
def _worker(instance: Path, database_url: str, redis_url: str) -> Iterator[None]:
    instance.mkdir(parents=True)
    env = {
        **os.environ,
        "TOURNEE_ENV": "testing",
        "TOURNEE_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TASKS_NAMESPACE": "tournee-faults",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "feedback_app", "worker"],
        env=env,
        stdout=(instance / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
