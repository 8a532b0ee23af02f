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
  - a regional workbook (the delegate's region), built as the worker builds it, with the
    process's peak memory (goal <= 60 s).
`--database URL` reuses (and keeps) a seeded database: seeded only when empty. `--pages-only`
stops after the pages (no intake preview, no workbook).
Goals: every page p95 < 150 ms, the review list < 100 ms, live.json < 20 ms; a missed goal is
flagged and the exit status is 1. Wall times grow with whatever else runs on the machine: the
load average is printed at the start and the end.

    .venv/bin/python bench/scale.py                        # 1,000,000 submissions
    .venv/bin/python bench/scale.py --submissions 200000 --repeat 10
    make bench-scale
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import fresh_database
from intake import workbook
from review import PASSWORD, CountTimer, measure, percentile, scenarios, signed_in_client
from review_seed import seed, seeded_before
from sqlalchemy import func, select, text

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import Region, TourStop
from feedback_app.services.access import EVERYTHING
from feedback_app.services.accounts.passwords import hash_password
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.ideas.groups import regroup_if_stale
from feedback_app.services.intake.batches import build_preview, save_preview
from feedback_app.services.synthesis.figures import SynthesisFilters

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
        "--skip-review-list", action="store_true", help="the other pages, not the review list"
    )
    parser.add_argument(
        "--review-list-only", action="store_true", help="the review list's scenarios, nothing else"
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
            started = time.perf_counter()
            regroup_if_stale(db.session)
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
            print(f"full regroup in {time.perf_counter() - started:.0f} s", flush=True)
            if args.seed_only:
                return 0
            counter = CountTimer(db.engine)
            roles = (
                ()
                if args.skip_pages
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
                        times, _cpu, _rows, _counts = measure(client, path, args.repeat, counter)
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
            db.session.remove()
            if args.review_list_only or args.pages_only:
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

            # A regional workbook (the delegate's region, about a seventh of the items), built
            # as the worker builds it; the process's peak memory before and after.
            region_slug = db.session.scalar(
                select(Region.slug).where(Region.id == seeded.delegate_region_id)
            )
            assert region_slug is not None
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            begun = time.perf_counter()
            stored = export_workbook(
                db.session,
                EVERYTHING,
                ExportRequest(filters=SynthesisFilters(region_slugs=(region_slug,))),
                actor_id=None,
                generated_by="bench",
            )
            seconds = time.perf_counter() - begun
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            flag = "" if seconds <= WORKBOOK_GOAL_S else f"   MISSED (goal {WORKBOOK_GOAL_S} s)"
            if flag:
                missed.append("regional workbook")
            print(
                f"regional workbook ({region_slug}, {stored.items:,} items): {seconds:.0f} s, "
                f"peak memory {before:.0f} MB before, {peak:.0f} MB after{flag}"
            )
            db.session.remove()
            db.engine.dispose()
    return _verdict(missed)


def _verdict(missed: list[str]) -> int:
    print(f"load average at end {_load()}")
    if missed:
        print(f"{len(missed)} goal(s) missed: " + "; ".join(missed))
        return 1
    print("every goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
