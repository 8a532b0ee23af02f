"""Live screen benchmark: the stop's live payload while 500 people post.

For each backend (SQLite in WAL mode, a fresh PostgreSQL database) it serves the app with
gunicorn (bench/harness.py), creates an HQ account with `flask users create`, signs in, and
then runs two things at once: `--people` simulated people (500 by default), `--concurrency` of
them posting at a time, each sending one submission of one to four items through the JSON API;
and `--screens` live screens, each fetching /review/stops/<id>/live.json every `--period`
seconds. It prints the payload's p50/p95/max latency while idle (before the crowd), under the
crowd, and after it, with the submissions stored at that point — the figures must not grow
with them, since they come from the stop's tally rows (services/capture/tally.py).

Then, directly on the database, it times the tally read against the aggregate it replaces
(GROUP BY over the stop's items) after `--extra` more submissions are bulk-inserted (20,000 by
default, tallies kept in step): the first stays flat, the second grows with the submissions.

    .venv/bin/python bench/live.py                    # both backends
    .venv/bin/python bench/live.py --backend sqlite --people 100 --extra 2000
    make bench-live

PostgreSQL is reached at BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/).
Figures depend on the machine and on whatever else runs on it (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import BACKENDS, BIN, ROOT, RunningApp, app_env, running_app
from sqlalchemy import func, insert, select, text

from feedback_app.models import FeedbackItem, StopTally, Submission, TourStop

PASSWORD = "bench password, long enough"
KINDS = ("need", "opportunity", "challenge", "proposal")
TEXTS = [
    "Former le personnel à l'accueil en anglais.",
    "تحسين النقل بين المطار والمدينة",
    "Mieux signaler les sites depuis la route nationale.",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def signed_in_session(app: RunningApp, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{app.base_url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    answer = session.post(
        f"{app.base_url}/login",
        timeout=30,
        allow_redirects=False,
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 302, f"sign-in failed: {answer.status_code}"
    return session


class Screens:
    """`count` screens polling the live payload; latencies recorded by phase."""

    def __init__(
        self, app: RunningApp, session: requests.Session, url: str, count: int, period: float
    ) -> None:
        self.session, self.url, self.count, self.period = session, url, count, period
        self.phase = "idle"
        self.samples: dict[str, list[float]] = {"idle": [], "crowd": [], "after": []}
        self.errors = 0
        self.stop = threading.Event()
        self.last: dict = {}

    def _run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                response = self.session.get(self.url, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code == 200:
                    self.samples[self.phase].append(elapsed)
                    self.last = response.json()
                else:
                    self.errors += 1
            except requests.RequestException:
                self.errors += 1
            self.stop.wait(self.period)

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.count)]
        for thread in threads:
            thread.start()
        return threads


def post_one(app: RunningApp, rng: random.Random, themes: list[str]) -> int:
    items = [
        {
            "kind": rng.choice(KINDS),
            "text": rng.choice(TEXTS),
            **({"theme": rng.choice(themes)} if rng.random() < 0.6 else {}),
        }
        for _ in range(rng.randint(1, 4))
    ]
    payload = {
        "client_id": str(uuid.uuid4()),
        "organisation": "Riad Dar Atlas",
        "category": "hebergement",
        "items": items,
    }
    for _attempt in range(20):
        try:
            response = requests.post(
                f"{app.base_url}/api/v1/stops/{app.stop_code}/submissions", json=payload, timeout=60
            )
        except requests.RequestException:
            time.sleep(0.2)
            continue
        if response.status_code in (200, 201):
            return 1
        time.sleep(0.2)
    return 0


def bulk_extra(app: RunningApp, stop_id: int, region_id: int, count: int) -> None:
    """`count` more submissions of two items, straight into the tables, tallies kept in step."""
    engine = app.engine()
    batch = 2000
    with engine.begin() as conn:
        theme_ids = list(conn.scalars(text("SELECT id FROM themes")))
        start = conn.scalar(select(func.coalesce(func.max(Submission.id), 0))) + 1
        for first in range(start, start + count, batch):
            ids = range(first, min(first + batch, start + count))
            conn.execute(
                insert(Submission),
                [
                    {
                        "id": i,
                        "region_id": region_id,
                        "stop_id": stop_id,
                        "client_id": uuid.uuid4(),
                        "reference": f"BX-{i:08d}",
                        "organisation": "Bench",
                        "category_code": "hebergement",
                        "consent_contact": False,
                        "language": "fr",
                        "source": "api",
                        "status": "new",
                        "late": False,
                        "after_signoff": False,
                        "search_text": "bench",
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(FeedbackItem),
                [
                    {
                        "submission_id": i,
                        "position": p,
                        "kind": KINDS[(i + p) % 4],
                        "text": TEXTS[p],
                        "theme_id": theme_ids[(i * 7 + p) % len(theme_ids)],
                        "shortlisted": False,
                    }
                    for i in ids
                    for p in (0, 1)
                ],
            )
        conn.execute(text("DELETE FROM stop_tallies WHERE stop_id = :s"), {"s": stop_id})
        conn.execute(
            text(
                "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
                "SELECT stop_id, 'submissions', 0, COUNT(*) FROM submissions "
                "WHERE stop_id = :s GROUP BY stop_id"
            ),
            {"s": stop_id},
        )
        conn.execute(
            text(
                "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
                "SELECT s.stop_id, i.kind, COALESCE(i.theme_id, 0), COUNT(*) FROM feedback_items i "
                "JOIN submissions s ON s.id = i.submission_id WHERE s.stop_id = :s "
                "GROUP BY s.stop_id, i.kind, COALESCE(i.theme_id, 0)"
            ),
            {"s": stop_id},
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def time_queries(app: RunningApp, stop_id: int, repeat: int = 30) -> tuple[float, float, int]:
    """Median ms of the tally read and of the aggregate over the items it replaces."""
    engine = app.engine()
    tally_read = select(StopTally.kind, StopTally.theme_key, StopTally.count).where(
        StopTally.stop_id == stop_id
    )
    aggregate = (
        select(FeedbackItem.kind, FeedbackItem.theme_id, func.count())
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(Submission.stop_id == stop_id)
        .group_by(FeedbackItem.kind, FeedbackItem.theme_id)
    )
    results = []
    with engine.connect() as conn:
        submissions = (
            conn.scalar(
                select(func.count()).select_from(Submission).where(Submission.stop_id == stop_id)
            )
            or 0
        )
        for query in (tally_read, aggregate):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                conn.execute(query).all()
                times.append((time.perf_counter() - started) * 1000)
            results.append(statistics.median(times))
    engine.dispose()
    return results[0], results[1], submissions


def run_backend(backend: str, args: argparse.Namespace) -> None:
    with running_app(backend, workers=args.workers, env={"RATELIMIT_ENABLED": "0"}) as app:
        _create_hq(app)
        engine = app.engine()
        with engine.connect() as conn:
            stop_id, region_id = conn.execute(
                select(TourStop.id, TourStop.region_id).where(TourStop.code == app.stop_code)
            ).one()
            themes = list(conn.scalars(text("SELECT code FROM themes WHERE NOT retired")))
        engine.dispose()
        session = signed_in_session(app, "bench.hq@example.ma")
        url = f"{app.base_url}/review/stops/{stop_id}/live.json"
        screens = Screens(app, session, url, args.screens, args.period)
        threads = screens.start()
        time.sleep(args.idle)
        screens.phase = "crowd"
        started = time.perf_counter()
        rng = random.Random(2025)
        seeds = [random.Random(rng.random()) for _ in range(args.people)]
        with ThreadPoolExecutor(args.concurrency) as pool:
            stored = sum(pool.map(lambda r: post_one(app, r, themes), seeds))
        crowd_seconds = time.perf_counter() - started
        screens.phase = "after"
        time.sleep(args.idle)
        screens.stop.set()
        for thread in threads:
            thread.join()
        print(
            f"\n== {backend}: {stored}/{args.people} people posted in {crowd_seconds:.1f} s "
            f"({args.concurrency} at a time), {args.screens} screens every {args.period} s; "
            f"live payload says {screens.last.get('submissions')} submissions; "
            f"errors {screens.errors}"
        )
        for phase, values in screens.samples.items():
            print(
                f"   live.json {phase:5}: n={len(values):4}  p50 {percentile(values, 0.5):7.1f} ms"
                f"  p95 {percentile(values, 0.95):7.1f} ms  max {max(values or [0]):7.1f} ms"
            )
        # The app's request log: time spent handling the request, without the wait for a
        # free worker (all sync workers busy with posts is the crowd's queue, not the query).
        handled = [
            float(ms)
            for ms in re.findall(
                r'"endpoint": "review.stop_live_json".*?"duration_ms": ([0-9.]+)', app.log_text()
            )
        ]
        print(
            f"   live.json handled in the app (whole run): n={len(handled)}  p50 "
            f"{percentile(handled, 0.5):.1f} ms  p95 {percentile(handled, 0.95):.1f} ms"
        )
        for extra in (0, args.extra):
            if extra:
                bulk_extra(app, stop_id, region_id, extra)
            tally_ms, aggregate_ms, submissions = time_queries(app, stop_id)
            print(
                f"   at {submissions:6} submissions: tally read {tally_ms:6.2f} ms, "
                f"GROUP BY over the items {aggregate_ms:7.2f} ms (median)"
            )


def _create_hq(app: RunningApp) -> None:
    # `flask users create` reads the password from standard input.
    subprocess.run(
        [
            str(BIN / "flask"),
            "--app",
            "feedback_app",
            "users",
            "create",
            "bench.hq@example.ma",
            "--role",
            "hq",
            "--name",
            "Bench",
        ],
        input=PASSWORD + "\n",
        text=True,
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=app_env(app.database_url, "bench-cli"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--screens", type=int, default=3)
    parser.add_argument("--period", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--extra", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for backend in args.backend or BACKENDS:
        run_backend(backend, args)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
