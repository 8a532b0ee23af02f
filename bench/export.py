"""How fast, and in how much memory, the Excel synthesis is built; and how fast it reaches users.

    .venv/bin/python bench/export.py --part queue   # click-to-file, workbooks per minute

    .venv/bin/python bench/export.py [--sizes 10000,100000,300000] [--postgres]

For each size a temporary database is migrated and seeded with bulk inserts (12 regions,
about three items per submission, some Arabic, some consented contacts, some shortlisted
proposals, a little spam). Then, each in its own process so that peak memory is its own:
  - full:       the whole styled, multi-sheet workbook, exactly as `flask export xlsx` makes it
                (SQL aggregates, streamed rows, XlsxWriter constant-memory);
  - openpyxl:   baseline, the same item rows read the same way and dumped unstyled into one
                openpyxl write-only sheet (15 columns);
  - xlsxwriter: baseline, the same dump with XlsxWriter in constant-memory mode.
Printed per run: wall seconds, CPU seconds and peak resident memory (ru_maxrss). The goal is
full/openpyxl <= 1.0 and a peak memory for `full` that does not grow with the number of items.
The machine is shared: CPU seconds are steadier than wall seconds when it is busy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_FRENCH = (
    "former accueil promotion vol direct saison aéroport signalétique financement "
    "rénovation guides langues numérique réservation route plage désert festival "
    "gastronomie artisanat formation hôtel riad circuit médina patrimoine"
)
_ARABIC = (
    "نحتاج إلى تكوين الشباب في مهن الضيافة والاستقبال وتحسين الطرق المؤدية إلى المواقع السياحية"
)
WORDS, ARABIC = _FRENCH.split(" "), _ARABIC.split(" ")
KINDS = ("need", "opportunity", "challenge", "proposal")


def _app(url: str):
    from feedback_app import create_app

    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})


def seed(url: str, items: int, rng: random.Random) -> None:
    """Migrate, then bulk-insert stops, submissions and items (no ORM objects, no per-row
    validation: this measures the export, not the form)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from feedback_app.extensions import db
    from feedback_app.models import Category, FeedbackItem, Region, Submission, Theme, TourStop

    app = _app(url)
    with app.app_context():
        upgrade()
        session = db.session
        regions = session.execute(select(Region.id, Region.code)).all()
        categories = session.scalars(select(Category.code)).all()
        themes = session.scalars(select(Theme.id)).all()
        stops = []
        for index, (region_id, _code) in enumerate(regions):
            for n in range(2):
                stops.append(
                    {
                        "code": f"b{index:02d}{n}{uuid.uuid4().hex[:8]}",
                        "region_id": region_id,
                        "city": f"Ville {index}-{n}",
                        "venue": "Salle",
                        "date": dt.date(2025, 1, 10) + dt.timedelta(days=14 * index + n),
                        "status": "closed",
                    }
                )
        session.execute(insert(TourStop), stops)
        stop_rows = session.execute(select(TourStop.id, TourStop.region_id, TourStop.date)).all()
        submissions = items // 3
        sub_batch, item_batch, item_count = [], [], 0
        now = dt.datetime.now(dt.UTC)
        for number in range(submissions):
            stop = stop_rows[number % len(stop_rows)]
            consent = rng.random() < 0.5
            sub_batch.append(
                {
                    "id": number + 1,
                    "region_id": stop.region_id,
                    "stop_id": stop.id,
                    "client_id": uuid.uuid4(),
                    "reference": f"BE-{number:08d}",
                    "organisation": f"Hôtel {rng.choice(WORDS).title()} {number % 997}",
                    "category_code": rng.choice(categories),
                    "person_name": "Fatima Zahra El Idrissi" if consent else None,
                    "job_title": "Directrice" if consent else None,
                    "email": f"contact{number}@example.ma" if consent else None,
                    "phone": "0612345678" if consent else None,
                    "consent_contact": consent,
                    "language": "fr",
                    "source": "import",
                    "status": rng.choice(
                        ("new", "reviewed", "reviewed", "reviewed", "spam")
                        if number % 50 == 0
                        else ("new", "reviewed")
                    ),
                    "created_at": dt.datetime.combine(stop.date, dt.time(10), tzinfo=dt.UTC)
                    + dt.timedelta(seconds=number % 7200),
                    "updated_at": now,
                    "late": False,
                    "search_text": "",
                }
            )
            per = 3 if number < submissions - 1 else items - item_count
            for position in range(per):
                kind = KINDS[(number + position) % 4]
                words = ARABIC if rng.random() < 0.1 else WORDS
                text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 40)))
                item_batch.append(
                    {
                        "submission_id": number + 1,
                        "position": position,
                        "kind": kind,
                        "text": text[:1].upper() + text[1:] + ".",
                        "theme_id": rng.choice(themes) if rng.random() < 0.7 else None,
                        "priority": rng.choice((None, "low", "medium", "high")),
                        "shortlisted": kind == "proposal" and rng.random() < 0.2,
                    }
                )
            item_count += per
            if len(item_batch) >= 20_000:
                session.execute(insert(Submission), sub_batch)
                session.execute(insert(FeedbackItem), item_batch)
                sub_batch, item_batch = [], []
        if sub_batch:
            session.execute(insert(Submission), sub_batch)
            session.execute(insert(FeedbackItem), item_batch)
        session.commit()
        # The idea groups are kept current in the background as data comes in; the measured
        # export then only checks that they are (bench/grouping.py measures the grouping).
        from feedback_app.services.ideas.groups import regroup

        regroup(session)
        db.engine.dispose()


def run(mode: str, url: str, out: str) -> dict:
    """One measured build, in this (child) process."""
    # The writers are imported before the start: loading them is part of no run.
    import openpyxl
    import xlsxwriter

    from feedback_app.extensions import db
    from feedback_app.models import ExportArtifact
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.export.build import export_workbook
    from feedback_app.services.export.plan import ExportRequest
    from feedback_app.services.synthesis.figures import SynthesisFilters, resolve
    from feedback_app.services.synthesis.rows import stream_items

    app = _app(url)
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start, cpu = time.perf_counter(), time.process_time()
        rows = 0
        if mode == "full":
            stored = export_workbook(
                db.session, EVERYTHING, ExportRequest(), actor_id=None, generated_by="bench"
            )
            Path(out).write_bytes(db.session.get_one(ExportArtifact, stored.id).content)
            rows = stored.items
        else:
            sel = resolve(db.session, EVERYTHING, SynthesisFilters())
            stream = stream_items(db.session, sel)
            if mode == "openpyxl":
                wb = openpyxl.Workbook(write_only=True)
                ws = wb.create_sheet("Items")
                for item in stream:
                    ws.append(item[1:])
                    rows += 1
                wb.save(out)
            else:
                wb = xlsxwriter.Workbook(out, {"constant_memory": True})
                ws = wb.add_worksheet("Items")
                for item in stream:
                    rows += 1
                    ws.write_row(rows, 0, item[1:])
                wb.close()
        return {
            "mode": mode,
            "rows": rows,
            "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "base_mb": before,
            "bytes": os.path.getsize(out),
        }


def measure(mode: str, url: str, workdir: Path) -> dict:
    out = workdir / f"{mode}.xlsx"
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg_database(size: int) -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
    name = f"tournee_bench_export_{size}_{os.getpid()}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def _drop_pg(name: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,300000",
        help="comma-separated numbers of items (default: %(default)s)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="seed PostgreSQL (BENCH_PG_URL) instead of a SQLite file",
    )
    parser.add_argument(
        "--part",
        choices=("builder", "queue", "all"),
        default="all",
        help="builder: the workbook alone (--sizes); queue: click-to-file and "
        "workbooks per minute through gunicorn, Redis and workers "
        "(bench/export_queue.py); default: both",
    )
    parser.add_argument(
        "--items",
        type=int,
        default=20_000,
        help="queue part: items in the tour (default: %(default)s)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=8,
        help="queue part: exports posted at once (default: %(default)s)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seed-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.url, args.out)))
        return
    if args.seed_child:
        seed(args.url, args.seed_child, random.Random(args.seed_child))
        return

    if args.part in ("queue", "all"):
        from bench.export_queue import main as queue_main

        queue_main(args.items, args.requests)
    if args.part == "queue":
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print("spam (about 1 % of submissions) is left out of every run: rows written < items")
    print("peak MB: the run's peak resident memory; +MB: how much of it the build added on top")
    print("of the interpreter, the app and the writers already loaded")
    print(
        f"{'items':>8} {'run':<11} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'+MB':>6} "
        f"{'xlsx MB':>8}"
    )
    summary = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
            workdir = Path(tmp)
            pg_name = None
            if args.postgres:
                url, pg_name = _pg_database(size)
            else:
                url = f"sqlite:///{workdir / 'bench.sqlite'}"
            t0 = time.perf_counter()
            # Seeded in its own process: on Linux a child's peak memory starts from its
            # parent's at fork time, so this process must stay small for the runs' figures.
            subprocess.run(
                [sys.executable, __file__, "--seed-child", str(size), "--url", url],
                check=True,
                capture_output=True,
            )
            print(f"{size:>8} {'(seed)':<11} {time.perf_counter() - t0:>8.1f}", flush=True)
            try:
                results = {}
                for mode in ("openpyxl", "xlsxwriter", "full"):
                    r = results[mode] = measure(mode, url, workdir)
                    print(
                        f"{size:>8} {mode:<11} {r['seconds']:>8.1f} {r['cpu']:>8.1f} "
                        f"{r['rss_mb']:>8.0f} {r['rss_mb'] - r['base_mb']:>6.0f} "
                        f"{r['bytes'] / 1e6:>8.1f}",
                        flush=True,
                    )
            finally:
                if pg_name:
                    _drop_pg(pg_name)
            counts = {mode: r["rows"] for mode, r in results.items()}
            assert len(set(counts.values())) == 1, f"runs wrote different row counts: {counts}"
            full, base = results["full"], results["openpyxl"]
            ratio, cpu_ratio = full["seconds"] / base["seconds"], full["cpu"] / base["cpu"]
            added = full["rss_mb"] - full["base_mb"]
            summary.append((size, ratio, cpu_ratio, full["rss_mb"], added))
            print(
                f"{size:>8} {'full/opx':<11} {ratio:>8.2f} {cpu_ratio:>8.2f}   (goal <= 1.0)",
                flush=True,
            )
    print("\nsummary: items, full/openpyxl-write-only wall and CPU ratios, full peak memory")
    for size, ratio, cpu_ratio, rss, added in summary:
        print(
            f"  {size:>8}  wall {ratio:.2f}  cpu {cpu_ratio:.2f}  peak {rss:.0f} MB "
            f"(+{added:.0f} MB for the build)"
        )


if __name__ == "__main__":
    main()
