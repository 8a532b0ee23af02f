"""How fast, and in how much memory, a spreadsheet of paper forms is previewed and committed.

    .venv/bin/python bench/intake.py [--rows 5000] [--format xlsx|csv] [--postgres]
    .venv/bin/python bench/intake.py --hostile [--postgres]
    .venv/bin/python bench/intake.py --database URL [--runs 3]

A temporary database is migrated and given one open stop; a workbook of `--rows` rows (one
item each, some Arabic, some with consented contacts, a few invalid and repeated rows) is
written with openpyxl, as a delegate would save it. Then, in this process:
  - preview: read (pandas + calamine), match headers, validate every row with the form's
    rules, look for duplicates, keep the pending batch in the database;
  - commit:  store every valid row in one transaction (submissions, items, audit row).
Printed: wall and CPU seconds of each step, rows stored, and peak resident memory
(ru_maxrss). The goal is preview + commit <= 10 s for 5,000 rows on this 2-core machine.

--database URL: a database seeded by bench/scale.py (kept; nothing is committed): the preview
of `--rows` rows at the first stop of the largest region (Marrakech-Safi), `--runs` times, with
the stop's size, the wall and CPU seconds, the statements and their time, and the load average.
Each run keeps its pending batch, as an upload does (deleted by the daily purge after a day).

--hostile: each hostile file of issue 21 (tests/intake_files.py HOSTILE) is uploaded through the
real route by a fresh worker process of its own: the app is created, signed in and warmed up with
one ordinary upload, its resident memory is read (the idle worker), then the hostile file is
posted. Printed per file: the answer, the time to it, and the worker's peak resident memory
above the idle worker (VmHWM reset just before the upload). Goal: <= 150 MB and <= 5 s each.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.intake_files import HEADER_FR  # noqa: E402  (a header as a delegate types it)

_FRENCH = (
    "former accueil promotion vol direct saison aéroport signalétique financement "
    "rénovation guides langues numérique réservation route plage désert festival"
)
_ARABIC = "نحتاج إلى تكوين الشباب في مهن الضيافة والاستقبال وتحسين الطرق"
WORDS, ARABIC = _FRENCH.split(" "), _ARABIC.split(" ")
KINDS = ("Besoin", "Opportunité", "Défi", "Proposition")
CATEGORIES = ("Hébergement", "Restauration", "Agence de voyages", "Guide")
THEMES = ("Digitalisation", "Formation et ressources humaines", "Infrastructures", "")


def workbook(rows: int, rng: random.Random, fmt: str) -> bytes:
    lines: list[list[str]] = [HEADER_FR]
    for n in range(rows):
        words = ARABIC if n % 7 == 0 else WORDS
        text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + f" {n}"
        consent = n % 5 == 0
        organisation = "" if n % 97 == 0 else f"Organisation {n % 1500}"  # a few invalid rows
        if n % 101 == 0 and n:
            text = lines[-1][3]  # a few rows repeated in the file
            organisation = lines[-1][0]
        lines.append(
            [
                organisation,
                CATEGORIES[n % 4],
                KINDS[n % 4],
                text,
                THEMES[n % 4],
                "Haute" if n % 3 == 0 else "",
                "Amina B." if consent else "",
                "Gérante",
                f"contact{n}@example.ma" if consent else "",
                "0612345678" if consent else "",
                "oui" if consent else "non",
            ]
        )
    if fmt == "csv":
        return "\n".join(";".join(line) for line in lines).encode("utf-8")
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scratch_database(postgres: bool, tmp: str) -> tuple[str, object]:
    """A migrated database (SQLite in `tmp`, or a new one on TEST_DATABASE_URL's server)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from feedback_app import create_app
    from feedback_app.extensions import db

    admin = None
    if postgres:
        base = os.environ["TEST_DATABASE_URL"]
        name = f"bench_intake_{os.getpid()}"
        admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url, admin


def hostile_worker(case: str, url: str) -> None:
    """One worker process: idle memory, then one hostile upload; prints a JSON line."""
    import json

    from feedback_app import create_app
    from feedback_app.extensions import db
    from tests.intake_files import HEADER_FR, HOSTILE, ROW_FR, csv_bytes
    from tests.memory import peak_mb_above_start, status_mb
    from tests.staff import add_stop, csrf_for, make_user, session_for

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        stop = add_stop(db.session, venue="Salle")
        make_user(db.session, f"bench{os.getpid()}@example.ma")
        client = session_for(app, db.session, f"bench{os.getpid()}@example.ma")

        def upload(data: bytes, name: str):  # type: ignore[no-untyped-def]
            return client.post(
                f"/hq/stops/{stop.id}/intake",
                data={"csrf_token": csrf_for(app, client), "file": (io.BytesIO(data), name)},
                content_type="multipart/form-data",
            )

        warm = upload(csv_bytes([HEADER_FR[:4], ROW_FR]), "chauffe.csv")
        assert warm.status_code == 302, warm.status_code
        idle = status_mb("VmRSS")
        name, build, _ = HOSTILE[case]
        data = build()
        wall = time.perf_counter()
        response, peak = peak_mb_above_start(lambda: upload(data, name))
        seconds = time.perf_counter() - wall
        print(
            json.dumps(
                {
                    "case": case,
                    "size_mb": len(data) / 1e6,
                    "status": response.status_code,
                    "seconds": seconds,
                    "idle_mb": idle,
                    "peak_above_idle_mb": status_mb("VmHWM") - idle,
                    "peak_above_start_mb": peak,
                }
            )
        )
        db.session.remove()
        db.engine.dispose()


def hostile(postgres: bool) -> None:
    import json
    import subprocess

    from tests.intake_files import HOSTILE

    backend = "postgresql" if postgres else "sqlite"
    print(
        f"hostile intake files on {backend}, one fresh worker each (goal: 4xx, <= 150 MB, <= 5 s)"
    )
    print(
        f"  {'file':30} {'size':>8} {'answer':>6} {'time':>7} {'idle':>8} {'peak above idle':>16}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url, admin = _scratch_database(postgres, tmp)
        try:
            for case in HOSTILE:
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", case, "--url", url],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
                if not lines:
                    print(f"  {case:30} worker died ({done.returncode}): {done.stderr[-300:]}")
                    continue
                row = json.loads(lines[-1])
                print(
                    f"  {case:30} {row['size_mb']:7.2f} MB {row['status']:>6} "
                    f"{row['seconds']:6.2f}s {row['idle_mb']:5.0f} MB "
                    f"{row['peak_above_idle_mb']:13.0f} MB"
                )
        finally:
            if admin is not None:
                from sqlalchemy import text

                with admin.connect() as conn:  # type: ignore[attr-defined]
                    name = url.rsplit("/", 1)[-1]
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seeded(url: str, data: bytes, rows: int, runs: int) -> None:
    """The preview at a seeded database's largest stop (see --database)."""
    from sqlalchemy import event, func, select

    from feedback_app import create_app
    from feedback_app.extensions import db
    from feedback_app.models import Region, Submission, TourStop
    from feedback_app.services.intake.batches import build_preview, save_preview

    app = create_app(
        {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        statements: list[float] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def _begin(conn, _cursor, _statement, _params, _context, _many):  # type: ignore[no-untyped-def]
            conn.info["began"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _end(conn, _cursor, _statement, _params, _context, _many):  # type: ignore[no-untyped-def]
            statements.append(time.perf_counter() - conn.info["began"])

        session = db.session
        stop = session.scalars(
            select(TourStop)
            .join(Region, Region.id == TourStop.region_id)
            .where(Region.slug == "marrakech-safi")
            .order_by(TourStop.id)
        ).first()
        assert stop is not None, "not a database seeded by bench/scale.py"
        size = session.scalar(
            select(func.count(Submission.id)).where(Submission.stop_id == stop.id)
        )
        total = session.scalar(select(func.count(Submission.id)))
        print(
            f"intake preview of {rows:,} rows at a stop of {size:,} submissions ({total:,} in all)"
        )
        for run in range(runs):
            statements.clear()
            load = f"{os.getloadavg()[0]:.1f}"
            wall, cpu = time.perf_counter(), time.process_time()
            preview = build_preview(session, stop, data, "bench.xlsx", max_rows=max(rows, 5000))
            save_preview(session, preview, user_id=None)
            print(
                f"  run {run + 1}: {time.perf_counter() - wall:6.2f} s wall, "
                f"{time.process_time() - cpu:5.2f} s CPU, {len(statements)} statements in "
                f"{sum(statements):5.2f} s, load average {load} ({dict(preview.counts)})"
            )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a scratch database on TEST_DATABASE_URL's server, not SQLite",
    )
    parser.add_argument("--hostile", action="store_true", help="issue 21's hostile files")
    parser.add_argument("--database", help="a database seeded by bench/scale.py (see above)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        hostile_worker(args.worker, args.url)
        return
    if args.hostile:
        hostile(args.postgres)
        return
    if args.database:
        seeded(args.database, workbook(args.rows, random.Random(13), "xlsx"), args.rows, args.runs)
        return

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, func, select, text

    from feedback_app import create_app
    from feedback_app.extensions import db
    from feedback_app.models import Submission
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
    from tests.staff import add_stop

    data = workbook(args.rows, random.Random(13), args.format)
    with tempfile.TemporaryDirectory() as tmp:
        admin = None
        if args.postgres:
            base = os.environ["TEST_DATABASE_URL"]
            name = f"bench_intake_{os.getpid()}"
            admin = create_engine(
                base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = base.rsplit("/", 1)[0] + f"/{name}"
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
        try:
            with app.app_context():
                upgrade()
                session = db.session
                stop = add_stop(session, venue="Salle")
                wall, cpu = time.perf_counter(), time.process_time()
                preview = build_preview(
                    session, stop, data, f"bench.{args.format}", max_rows=max(args.rows, 5000)
                )
                batch_id = save_preview(session, preview, user_id=None)
                preview_wall = time.perf_counter() - wall
                preview_cpu = time.process_time() - cpu
                wall, cpu = time.perf_counter(), time.process_time()
                result = commit_batch(session, EVERYTHING, batch_id, actor_id=None)
                commit_wall = time.perf_counter() - wall
                commit_cpu = time.process_time() - cpu
                stored = session.scalar(select(func.count(Submission.id)))
                db.session.remove()
                db.engine.dispose()
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"intake {args.rows} rows ({args.format}, {len(data) / 1e6:.1f} MB) on {backend}")
    print(
        f"  preview: {preview_wall:6.2f} s wall, {preview_cpu:6.2f} s CPU ({dict(preview.counts)})"
    )
    print(
        f"  commit:  {commit_wall:6.2f} s wall, {commit_cpu:6.2f} s CPU "
        f"(stored {result.stored}, {stored} in the database)"
    )
    print(
        f"  total:   {preview_wall + commit_wall:6.2f} s wall (goal <= 10 s); "
        f"peak memory {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
