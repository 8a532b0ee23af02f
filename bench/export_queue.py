"""Exports through the web and the task queue: click-to-file time and workbooks per minute.

    .venv/bin/python bench/export.py --part queue [--items 20000] [--requests 8]

A fresh PostgreSQL database is seeded with a tour of `--items` items (bench/export.py's seed),
served by gunicorn (2 workers) with Redis as the broker (a namespace of its own), and
`flask --app feedback_app worker` processes build the workbooks. Printed:
  - click to file: from the POST of the export form to the workbook's last byte, for the
    direct download (below EXPORT_BACKGROUND_ABOVE) and through a background job (forced by a
    low threshold), each on data not exported before (goal: <= 5 s for 20,000 items);
  - workbooks per minute: `--requests` different exports posted at once, with 1 then 2 worker
    processes (the stored workbooks are deleted between runs so that each is really built).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import BIN, app_env, fresh_database, gunicorn, wait_until_up  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/13"
EMAIL, PASSWORD = "bench-export@example.ma", "bench export password 2025"
FILTERS = [  # eight different requests: nothing joins or comes from the cache
    {"language": "fr"},
    {"language": "ar"},
    {"language": "en"},
    {"language": "fr", "contacts": "y"},
    {"language": "ar", "contacts": "y"},
    {"language": "en", "contacts": "y"},
    {"language": "fr", "statuses": "reviewed"},
    {"language": "fr", "statuses": "new"},
]


def _hq_user(url: str) -> None:
    from feedback_app import create_app
    from feedback_app.database import write_transaction
    from feedback_app.extensions import db
    from feedback_app.models import Role, User
    from feedback_app.services.accounts.passwords import hash_password

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), write_transaction(db.session) as session:
        session.add(
            User(
                email=EMAIL,
                name="Bench",
                role=Role.HQ,
                active=True,
                password_hash=hash_password(PASSWORD),
            )
        )
    with app.app_context():
        db.engine.dispose()


def _sign_in(base: str) -> tuple[requests.Session, str]:
    web = requests.Session()
    page = web.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = web.post(
        f"{base}/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.status_code
    page = web.get(f"{base}/hq/exports").text
    return web, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def click_to_file(web: requests.Session, token: str, base: str, data: dict) -> tuple[float, int]:
    """Seconds from the POST to the workbook's last byte, and the workbook's size."""
    start = time.perf_counter()
    answer = web.post(
        f"{base}/hq/exports", data={"csrf_token": token, **data}, allow_redirects=False
    )
    if answer.status_code == 303:
        job = base + answer.headers["Location"]
        while True:
            status = web.get(f"{job}/status").json()
            if status["state"] == "done":
                break
            if status["state"] == "failed":
                raise RuntimeError(f"job failed: {data}")
            time.sleep(0.1)
        answer = web.get(base + status["download"])
    if answer.status_code != 200 or not answer.content.startswith(b"PK"):
        raise RuntimeError(f"export answered {answer.status_code}: {data}")
    return time.perf_counter() - start, len(answer.content)


@contextmanager
def _workers(count: int, env: dict[str, str], logdir: Path) -> Iterator[None]:
    processes = []
    for number in range(count):
        log = (logdir / f"worker-{number}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [str(BIN / "flask"), "--app", "feedback_app", "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    time.sleep(3)  # imported and polling
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _at_once(base: str, workers: int, count: int) -> None:
    """`count` different exports posted together; print workbooks per minute."""
    web, token = _sign_in(base)
    times: list[float] = []
    errors: list[str] = []

    def one(data: dict) -> None:
        try:
            times.append(click_to_file(web, token, base, data)[0])
        except Exception as error:
            errors.append(str(error))

    start = time.perf_counter()
    threads = [
        threading.Thread(target=one, args=(FILTERS[n % len(FILTERS)],)) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    print(
        f"{count} exports at once, {workers} worker(s): {len(times)} workbooks in "
        f"{elapsed:.1f} s = {len(times) / elapsed * 60:.1f} per minute; slowest "
        f"{max(times, default=0):.1f} s; errors {len(errors)} {errors[:2]}",
        flush=True,
    )


def main(items: int, requests_at_once: int) -> None:
    namespace = f"tournee-bench-{uuid.uuid4().hex[:10]}"
    with fresh_database("postgresql") as url, tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        # The same tour generator as the builder benchmark, in its own process.
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "export.py"),
                "--seed-child",
                str(items),
                "--url",
                url,
            ],
            check=True,
            capture_output=True,
        )
        _hq_user(url)
        extra = {
            "REDIS_URL": REDIS_URL,
            "TASKS_NAMESPACE": namespace,
            "EXPORT_JOBS_PER_USER": "50",
            "RATELIMIT_ENABLED": "0",
        }
        engine = create_engine(url)
        try:
            for label, threshold in (("direct download", 10**9), ("background job", 1)):
                env = {**extra, "EXPORT_BACKGROUND_ABOVE": str(threshold)}
                with (
                    gunicorn(url, logdir / "gunicorn.log", workers=2, env=env) as (web, base),
                    _workers(1, app_env(url, "bench", env), logdir),
                ):
                    wait_until_up(f"{base}/healthz", web)
                    session, token = _sign_in(base)
                    with engine.begin() as conn:
                        conn.execute(text("DELETE FROM export_artifacts"))
                    seconds, size = click_to_file(session, token, base, {"language": "fr"})
                    print(
                        f"click to file, {items} items, {label:<15} {seconds:6.2f} s "
                        f"({size / 1e6:.1f} MB; goal <= 5 s)",
                        flush=True,
                    )
            env = {**extra, "EXPORT_BACKGROUND_ABOVE": "1"}
            for count in (1, 2):
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM export_artifacts"))
                    conn.execute(text("DELETE FROM export_jobs"))
                with (
                    gunicorn(url, logdir / "gunicorn.log", workers=2, env=env) as (web, base),
                    _workers(count, app_env(url, "bench", env), logdir),
                ):
                    wait_until_up(f"{base}/healthz", web)
                    _at_once(base, count, requests_at_once)
        finally:
            engine.dispose()
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"{namespace}*"))
            if keys:
                client.delete(*keys)
