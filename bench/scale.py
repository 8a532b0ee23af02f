"""National scale on PostgreSQL: every staff page at 1,000,000 submissions / 4,000,000 items.

A fresh database on the local PostgreSQL server (BENCH_PG_URL, dropped afterwards) is migrated
and seeded with COPY (bench/review_seed.py): 12 regions of unequal size, 10 stops each (120),
`--submissions` submissions of 4 items, the stops' running counts. The seed time is printed.
Then, signed in through /login as HQ (every region) and as the delegate of the largest region,
pages are requested through the Flask test client (routing, sign-in check, queries, template
rendering; no network) `--repeat` times each after one warm-up, and p50/p95 are printed:
  - the review list: filters, searches, deep pages (the scenarios of bench/review.py), and a
    submission with its previous/next links;
  - the dashboard, the regional brief, the idea-group list, the live screen and its live.json,
    and for HQ the national brief and the national map of ideas;
  - a full regroup of the recurring ideas (timed) before the pages, then ANALYZE;
  - the follow-up pages (HQ's commitments, the public region page; the seeded references are not
    receipt references, so the receipt page is not requested);
  - an intake preview of a 5,000-row workbook at a stop (read, validate, look for duplicates
    among the stop's stored rows, keep the pending batch);
  - two regional workbooks built as the worker builds them, a region near a twelfth of the
    items (goal <= 60 s) and the largest, then the national workbook through the worker's
    job path; each with its wall and CPU time and its peak memory above the process's.
`--database URL` reuses (and keeps) a seeded database: seeded only when empty. `--no-regroup`
skips the regroup (for the review list on a database seeded without groups). `--pages-only`
stops after the pages (no intake preview, no workbook); `--only-workbooks` measures the
workbooks alone.
Goals: every page p95 < 150 ms, the review list < 100 ms, live.json < 20 ms; a missed goal is
flagged and the exit status is 1. Wall times grow with whatever else runs on the machine: the
load average is printed at the start and the end.

    .venv/bin/python bench/scale.py                        # 1,000,000 submissions
    .venv/bin/python bench/scale.py --submissions 200000 --repeat 10
    .venv/bin/python bench/scale.py --database URL --only-workbooks
    make bench-scale
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import fresh_database
from intake import workbook
from review import PASSWORD, CountTimer, Request, measure, percentile, scenarios, signed_in_client
from review_seed import Seeded, seed, seeded_before
from sqlalchemy import func, select, text

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.heap import freeze_startup_objects
from feedback_app.locales import TIME_ZONE
from feedback_app.models import (
    EVERY_REGION,
    ExportJob,
    FeedbackItem,
    IdeaGroupTally,
    JobState,
    Region,
    ReviewStatus,
    Submission,
    TourStop,
    User,
)
from feedback_app.services.access import EVERYTHING, scope_for
from feedback_app.services.accounts.passwords import hash_password
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.jobs import run_job, start_job
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.export.store import StoredArtifact
from feedback_app.services.ideas.groups import regroup_if_stale
from feedback_app.services.intake.batches import build_preview, save_preview
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.memory import peak_mb_above_start, status_mb

STOPS_PER_REGION = 10
PAGE_GOAL_MS, LIST_GOAL_MS, LIVE_GOAL_MS = 150.0, 100.0, 20.0
WORKBOOK_GOAL_S = 60


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def page_scenarios(region_id: int, role: str) -> list[tuple[str, str, float]]:
    """(name, path, goal in ms) of the pages other than the review list."""
    region_slug = db.session.scalar(select(Region.slug).where(Region.id == region_id))
    stop_id = db.session.scalar(
        select(TourStop.id).where(TourStop.region_id == region_id).order_by(TourStop.id)
    )
    pages = [
        ("dashboard", "/hq/", PAGE_GOAL_MS),
        ("regional brief", f"/review/brief?region={region_slug}", PAGE_GOAL_MS),
        ("idea groups", "/review/ideas", PAGE_GOAL_MS),
        ("live screen", f"/review/stops/{stop_id}/live", PAGE_GOAL_MS),
        ("live.json", f"/review/stops/{stop_id}/live.json", LIVE_GOAL_MS),
        ("follow-up: commitments (staff)", "/hq/commitments", PAGE_GOAL_MS),
        ("follow-up: public region page", f"/suivi/{region_slug}", PAGE_GOAL_MS),
    ]
    # The largest group the reader sees: its page lists its members a page at a time.
    largest = db.session.scalar(
        select(IdeaGroupTally.group_id)
        .where(IdeaGroupTally.region_id == (EVERY_REGION if role == "hq" else region_id))
        .order_by(IdeaGroupTally.items.desc(), IdeaGroupTally.group_id)
        .limit(1)
    )
    if largest is not None:
        pages.insert(3, ("largest idea group's page", f"/review/ideas/{largest}", PAGE_GOAL_MS))
        pages.insert(4, ("its last page", f"/review/ideas/{largest}?page=last", PAGE_GOAL_MS))
    if role == "hq":
        pages.insert(1, ("national brief", "/review/brief", PAGE_GOAL_MS))
        pages.insert(3, ("idea map", "/hq/ideas/map", PAGE_GOAL_MS))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--intake-rows", type=int, default=5000)
    parser.add_argument(
        "--database",
        help="an existing PostgreSQL database URL, kept afterwards: seeded only when empty, so "
        "that a second run measures the pages again without seeding",
    )
    parser.add_argument("--seed-only", action="store_true", help="seed and regroup, then stop")
    parser.add_argument(
        "--skip-pages", action="store_true", help="only the intake preview and the workbook"
    )
    parser.add_argument(
        "--only-workbooks", action="store_true", help="the workbooks alone (no pages, no intake)"
    )
    parser.add_argument(
        "--skip-review-list", action="store_true", help="the other pages, not the review list"
    )
    parser.add_argument(
        "--review-list-only", action="store_true", help="the review list's scenarios, nothing else"
    )
    parser.add_argument(
        "--each",
        action="store_true",
        help="print every timed request in order: wall and CPU time, database time, garbage "
        "collector pauses (full collections apart)",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the start-up objects in the garbage collector's reach, as the web process "
        "did before wsgi.py froze them (feedback_app/heap.py): for a before/after comparison",
    )
    parser.add_argument(
        "--no-regroup",
        action="store_true",
        help="skip the regroup before the pages (and its ANALYZE), even when the groups are "
        "stale: a database seeded without groups takes very long to group at 1,000,000, and the "
        "review list needs none",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="the pages, then stop: no intake preview, no workbook (minutes at 1,000,000)",
    )
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    print(f"load average at start {_load()} on {os.cpu_count()} CPUs", flush=True)
    missed: list[str] = []
    database = (
        contextlib.nullcontext(args.database) if args.database else fresh_database("postgresql")
    )
    with database as url:
        app = create_app(
            {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
        )
        with app.app_context():
            upgrade()
            logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
            started = time.perf_counter()
            existing = db.session.scalar(select(func.count(TourStop.id)))
            db.session.rollback()
            if existing:
                seeded = seeded_before(db.engine)
                print(f"reusing {seeded.submissions:,} submissions, {seeded.items:,} items")
            else:
                seeded = seed(
                    db.engine,
                    args.submissions,
                    password_hash=hash_password(PASSWORD),
                    stops_per_region=STOPS_PER_REGION,
                )
                stops = db.session.scalar(select(func.count(TourStop.id)))
                print(
                    f"seeded {seeded.submissions:,} submissions, {seeded.items:,} items, {stops} "
                    f"stops with COPY in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            # The idea groups exist before the pages are read (as the background task leaves
            # them; the pages never regroup), and the planner knows their size, as autovacuum's
            # ANALYZE would tell it after a regrouping.
            if not args.no_regroup:
                started = time.perf_counter()
                regroup_if_stale(db.session)
                db.session.commit()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("ANALYZE"))
                print(f"full regroup in {time.perf_counter() - started:.0f} s", flush=True)
            if args.seed_only:
                return 0
            # As wsgi.py does once the app is built: what start-up left stays out of the full
            # garbage collections (here with the seeding's leftovers).
            if not args.no_freeze:
                freeze_startup_objects()
            counter = CountTimer(db.engine)
            roles = (
                ()
                if args.skip_pages or args.only_workbooks
                else (("delegate", "delegate@bench.ma"), ("hq", "hq@bench.ma"))
            )
            for role, email in roles:
                client = signed_in_client(app, email)
                measured = [
                    (f"review: {name}", path, LIST_GOAL_MS)
                    for name, path in scenarios(seeded, role)
                    if not args.skip_review_list
                ]
                if not args.review_list_only:
                    measured += page_scenarios(seeded.delegate_region_id, role)
                for name, path, goal in measured:
                    try:
                        each: list[Request] = []
                        times, _cpu, _rows, _counts = measure(
                            client, path, args.repeat, counter, each
                        )
                    except RuntimeError as error:  # a page that fails is reported, not fatal
                        missed.append(f"{role} {name}")
                        print(f"{role:8} {name:42} FAILED: {error}")
                        db.session.rollback()
                        continue
                    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
                    flag = "" if p95 < goal else f"   MISSED (goal p95 < {goal:.0f} ms)"
                    if flag:
                        missed.append(f"{role} {name}")
                    print(f"{role:8} {name:42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{flag}")
                    if args.each:
                        for number, request in enumerate(each, 1):
                            print(f"    {number:3} {request}")
            db.session.remove()
            if args.review_list_only or args.pages_only:
                return _verdict(missed)

            if args.only_workbooks:
                missed += measure_workbooks(seeded)
                db.engine.dispose()
                return _verdict(missed)
            stop = db.session.scalars(
                select(TourStop).where(TourStop.region_id == seeded.delegate_region_id)
            ).first()
            assert stop is not None
            data = workbook(args.intake_rows, random.Random(13), "xlsx")
            times = []
            for _ in range(3):
                begun = time.perf_counter()
                preview = build_preview(
                    db.session, stop, data, "paper.xlsx", max_rows=max(args.intake_rows, 5000)
                )
                save_preview(db.session, preview, user_id=seeded.delegate_id)
                times.append(time.perf_counter() - begun)
            print(
                f"intake preview of {args.intake_rows:,} rows: p50 {percentile(times, 0.5):.2f} s"
                f", worst {max(times):.2f} s (3 runs)"
            )
            db.session.remove()

            missed += measure_workbooks(seeded)
            db.engine.dispose()
    return _verdict(missed)


def _verdict(missed: list[str]) -> int:
    print(f"load average at end {_load()}")
    if missed:
        print(f"{len(missed)} goal(s) missed: " + "; ".join(missed))
        return 1
    print("every goal met")
    return 0


def _region_items() -> list[tuple[str, int]]:
    """(slug, items outside spam) of every region, largest first."""
    rows = db.session.execute(
        select(Region.slug, func.count(FeedbackItem.id))
        .join(Submission, Submission.region_id == Region.id)
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(Submission.status != ReviewStatus.SPAM)
        .group_by(Region.slug)
    ).all()
    db.session.rollback()
    return sorted(((slug, count) for slug, count in rows), key=lambda r: -r[1])


def _timed(build: Callable[[], object]) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds (this process), the build's peak resident memory above its
    start and the process's resident memory at the start, in MB (VmHWM reset first, as
    tests/memory.py does)."""
    begun, cpu = time.perf_counter(), time.process_time()
    _done, peak = peak_mb_above_start(build)
    start = status_mb("VmRSS")
    return time.perf_counter() - begun, time.process_time() - cpu, peak, start


def measure_workbooks(seeded: Seeded) -> list[str]:
    """Two regional workbooks built as the worker builds them (a region near a twelfth of the
    items, and the largest), then the national workbook through the worker's job path
    (services/export/jobs.py `run_job`: regroup check, plan, build, store, audit). Nothing is
    served from an earlier run's stored workbook (they expire at once)."""
    missed: list[str] = []
    regions = _region_items()
    total = sum(count for _slug, count in regions)
    twelfth = min(regions, key=lambda r: abs(r[1] - total / 12))
    print(f"load average before the workbooks {_load()}", flush=True)
    for label, (slug, _items) in (("a twelfth", twelfth), ("the largest region", regions[0])):
        stored: list[StoredArtifact] = []

        def build(slug: str = slug, stored: list[StoredArtifact] = stored) -> None:
            stored.append(
                export_workbook(
                    db.session,
                    EVERYTHING,
                    ExportRequest(filters=SynthesisFilters(region_slugs=(slug,))),
                    actor_id=None,
                    generated_by="bench",
                    keep_days=0,
                )
            )

        wall, cpu, peak, start = _timed(build)
        db.session.remove()
        flag = "" if wall <= WORKBOOK_GOAL_S else f"   MISSED (goal {WORKBOOK_GOAL_S} s)"
        if flag and label == "a twelfth":
            missed.append("regional workbook of a twelfth")
        print(
            f"regional workbook, {label} ({slug}, {stored[0].items:,} items): {wall:.0f} s, "
            f"{cpu:.0f} CPU s, peak memory +{peak:.0f} MB over {start:.0f} MB{flag}  "
            f"(load {_load()})",
            flush=True,
        )

    def national() -> None:
        job_id = start_job(
            db.session,
            scope_for(db.session.get_one(User, seeded.hq_id)),
            ExportRequest(),
            owner_id=seeded.hq_id,
            generated_by="bench",
            tz=TIME_ZONE,
            total=total,
            limit=100,
            enqueue=lambda job: f"bench-{job}",
            is_pending=lambda _message: True,
        )
        run_job(db.session, db.engine, job_id, keep_days=0)
        job = db.session.get_one(ExportJob, job_id, populate_existing=True)
        assert job.state is JobState.DONE, (job.state, job.failure)
        db.session.rollback()

    wall, cpu, peak, start = _timed(national)
    db.session.remove()
    print(
        f"national workbook through the worker's job path ({total:,} items): {wall:.0f} s, "
        f"{cpu:.0f} CPU s, peak memory +{peak:.0f} MB over {start:.0f} MB  (load {_load()})",
        flush=True,
    )
    return missed


if __name__ == "__main__":
    sys.exit(main())
