"""Review desk benchmark: the /review/ list with 100,000 submissions (400,000 items).

For each backend (a SQLite file in a temporary directory; a fresh PostgreSQL database on the
local server, dropped afterwards) it migrates a new database, bulk-loads the submissions
(bench/review_seed.py: Core executemany on SQLite, COPY on PostgreSQL), signs in through the
real /login view as a regional delegate (Marrakech-Safi, the largest region: about 14 % of the
rows) and as HQ (every region), then requests the list page through the Flask test client —
routing, sign-in check, queries and template rendering included, no network — without
filters, with each filter, with searches and on deep pages. It prints p50/p95/max wall time per
scenario and role, and the median CPU time of this process (on SQLite that is the whole cost of
the request; on PostgreSQL the server's share is not in it); the goal is a p95 under 150 ms for
every list page. The "count" column is the share of the page spent counting the results (the
list's "N contributions"), timed on the database cursor. The submission page is measured
too, with its previous/next links inside a filtered list. The load average is printed too:
on a shared 2-core machine, wall times grow with whatever else runs.

    .venv/bin/python bench/review.py                         # both backends, 100,000 rows
    .venv/bin/python bench/review.py --backend sqlite --submissions 20000 --repeat 10

PostgreSQL is reached at BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/).
Figures depend on the machine and on whatever else runs on it: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import BACKENDS, fresh_database
from review_seed import RARE_WORD, Seeded, seed
from sqlalchemy import event, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.heap import freeze_startup_objects
from feedback_app.models import Submission, Theme, TourStop
from feedback_app.services.accounts.passwords import hash_password
from feedback_app.services.review.queries import Cursor
from tests.staff import csrf_for

GOAL_MS = 150.0
PASSWORD = "bench password, long enough"
ROW = re.compile(r'name="submission_ids" value="\d+"')


@dataclass
class Result:
    backend: str
    role: str
    scenario: str
    p50: float
    p95: float
    worst: float
    cpu_p50: float  # CPU time of this process: all of it on SQLite, the client's on PostgreSQL
    rows: int
    count_p50: float = 0.0  # the result count's query


COUNT_QUERY = re.compile(r"^SELECT count\(\*\) AS count_1\s+FROM \(SELECT submissions.id", re.I)


class CountTimer:
    """Adds up the time the result-count query spends on the database cursor (`total`), and
    the time of every statement (`database`)."""

    def __init__(self, engine) -> None:
        self.total = 0.0
        self.database = 0.0
        self._started = 0.0
        self._counting = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        self._counting = bool(COUNT_QUERY.match(statement))
        self._started = time.perf_counter()

    def _after(self, *_args) -> None:
        took = (time.perf_counter() - self._started) * 1000
        self.database += took
        if self._counting:
            self.total += took
            self._counting = False


class GcTimer:
    """Adds up the pauses of Python's cyclic garbage collector: `pause` in all, `oldest` in
    collections of the oldest generation (every tracked object of the process is visited)."""

    def __init__(self) -> None:
        self.pause = self.oldest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = (time.perf_counter() - self._started) * 1000
        self.pause += took
        if info["generation"] == 2:
            self.oldest += took


@dataclass(frozen=True)
class Request:
    """One timed request, for `--each`: where its time went."""

    wall: float
    cpu: float
    database: float  # every statement, on the database cursor
    gc: float  # garbage collector pauses
    gc_oldest: float  # of which full collections

    def __str__(self) -> str:
        full = f" (full {self.gc_oldest:.0f})" if self.gc_oldest else ""
        return (
            f"{self.wall:6.1f} ms: cpu {self.cpu:5.1f}, database {self.database:5.1f}, "
            f"gc {self.gc:5.1f}{full}"
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _deep_cursor(region_id: int | None, depth: float) -> str:
    """The cursor of the row `depth` of the way down the newest-first list."""
    query = select(Submission.created_at, Submission.id)
    if region_id is not None:
        query = query.where(Submission.region_id == region_id)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    row = db.session.execute(
        query.order_by(Submission.created_at.desc(), Submission.id.desc())
        .offset(int(total * depth))
        .limit(1)
    ).one()
    return Cursor.of(row.created_at, row.id).encode()


def scenarios(seeded: Seeded, role: str) -> list[tuple[str, str]]:
    region = seeded.delegate_region_id
    stop = db.session.scalar(
        select(TourStop.id).where(TourStop.region_id == region).order_by(TourStop.id)
    )
    theme = db.session.scalar(select(Theme.id).where(Theme.code == "formation-rh"))
    scope_region = region if role == "delegate" else None
    items = [
        ("list, page 1", "/review/"),
        ("status=new", "/review/?status=new"),
        ("status=spam", "/review/?status=spam"),
        ("stop", f"/review/?stop={stop}"),
        ("category=guide", "/review/?category=guide"),
        ("kind=proposal", "/review/?kind=proposal"),
        ("theme", f"/review/?theme={theme}"),
        ("theme=none", "/review/?theme=none"),
        ("shortlisted=1", "/review/?shortlisted=1"),
        ("shortlisted=0", "/review/?shortlisted=0"),
        ("date range (2 weeks)", "/review/?date_from=2025-03-01&date_to=2025-03-14"),
        ("kind+theme+shortlisted", f"/review/?kind=proposal&theme={theme}&shortlisted=1"),
        ("search common word", "/review/?q=personnel"),
        ("search accented", "/review/?q=A%C3%A9RIENNE"),
        ("search organisation", "/review/?q=riad+tiwizi"),
        (f"search rare word ({RARE_WORD})", f"/review/?q={RARE_WORD}"),
        ("search no match", "/review/?q=qqqxyz"),
        ("search 2 letters", "/review/?q=de"),
        ("search + status=spam", "/review/?q=personnel&status=spam"),
        ("page 2", f"/review/?after={_deep_cursor(scope_region, 0.0)}"),
        ("deep page (50 %)", f"/review/?after={_deep_cursor(scope_region, 0.5)}"),
        ("last page (99.9 %)", f"/review/?after={_deep_cursor(scope_region, 0.999)}"),
        ("deep page + status=new", f"/review/?status=new&after={_deep_cursor(scope_region, 0.5)}"),
        ("previous page from deep", f"/review/?before={_deep_cursor(scope_region, 0.5)}"),
    ]
    new_ones = (
        select(Submission.id)
        .where(Submission.status == "new")
        .where(True if scope_region is None else Submission.region_id == scope_region)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(1)
    )
    # 100 deep into the list; a small seed (--submissions 300) has fewer: then the newest.
    newest = db.session.scalar(new_ones.offset(100)) or db.session.scalar(new_ones)
    items.append(("submission page, prev/next", f"/review/submissions/{newest}?status=new"))
    items.append(
        ("submission page, search walk", f"/review/submissions/{newest}?q=personnel&status=new")
    )
    if role == "hq":
        items.append(("region filter", f"/review/?region={region}"))
        items.append(("region + search", f"/review/?region={region}&q=personnel"))
    return items


def signed_in_client(app, email: str):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_for(app, client)}
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {email} failed: {response.status_code}")
    return client


_GC = GcTimer()


def measure(
    client, path: str, repeat: int, counter: CountTimer, each: list[Request] | None = None
) -> tuple[list[float], list[float], int, list[float]]:
    """p50/p95 material of `repeat` requests after one warm-up; `each` receives every timed
    request in order, with its database and garbage-collector time."""
    response = client.get(path)  # warm-up: compiled templates, cached plans
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    rows = len(ROW.findall(response.get_data(as_text=True)))
    times, cpu, counts = [], [], []
    for _ in range(repeat):
        counter.total = counter.database = _GC.pause = _GC.oldest = 0.0
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        counts.append(counter.total)
        if each is not None:
            each.append(Request(times[-1], cpu[-1], counter.database, _GC.pause, _GC.oldest))
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return times, cpu, rows, counts


def run_backend(backend: str, submissions: int, repeat: int) -> list[Result]:
    from flask_migrate import upgrade

    results = []
    with fresh_database(backend) as url:
        app = create_app(
            {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
        )
        with app.app_context():
            upgrade()
            # In-process migrations set the root logger to INFO: keep the per-request log lines
            # (the app's JSON access log) out of the figures' output.
            logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
            started = time.perf_counter()
            seeded = seed(db.engine, submissions, password_hash=hash_password(PASSWORD))
            print(
                f"[{backend}] seeded {seeded.submissions:,} submissions and "
                f"{seeded.items:,} items in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            freeze_startup_objects()  # as wsgi.py does before the first request
            counter = CountTimer(db.engine)
            for role, email in (("delegate", "delegate@bench.ma"), ("hq", "hq@bench.ma")):
                client = signed_in_client(app, email)
                for name, path in scenarios(seeded, role):
                    times, cpu, rows, counts = measure(client, path, repeat, counter)
                    result = Result(
                        backend,
                        role,
                        name,
                        percentile(times, 0.5),
                        percentile(times, 0.95),
                        max(times),
                        percentile(cpu, 0.5),
                        rows,
                        percentile(counts, 0.5),
                    )
                    results.append(result)
                    print(
                        f"[{backend}] {role:8} {name:30} p50 {result.p50:6.1f} ms  "
                        f"p95 {result.p95:6.1f} ms  count {result.count_p50:5.1f} ms  "
                        f"rows {rows}",
                        flush=True,
                    )
            print(f"[{backend}] load average {_load()}", flush=True)
            db.session.remove()
            db.engine.dispose()
    return results


def report(results: list[Result]) -> int:
    print()
    print(
        f"{'backend':10} {'role':8} {'scenario':30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'cpu p50':>8} {'count':>6} {'rows':>5}"
    )
    for r in results:
        flag = "" if r.p95 < GOAL_MS else f"  > {GOAL_MS:.0f} ms"
        print(
            f"{r.backend:10} {r.role:8} {r.scenario:30} {r.p50:8.1f} {r.p95:8.1f} "
            f"{r.worst:8.1f} {r.cpu_p50:8.1f} {r.count_p50:6.1f} {r.rows:5}{flag}"
        )
    over = [r for r in results if r.p95 >= GOAL_MS]
    print(f"\n{len(results) - len(over)}/{len(results)} scenarios with p95 under {GOAL_MS:.0f} ms")
    return 1 if over else 0


def _load() -> str:
    """The machine's load average: on 2 shared cores, wall times grow with it."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per scenario")
    args = parser.parse_args(argv)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    print(f"load average at start {_load()} on {os.cpu_count()} CPUs", flush=True)
    results = []
    for backend in backends:
        results += run_backend(backend, args.submissions, args.repeat)
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
