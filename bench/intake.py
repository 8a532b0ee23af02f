"""How fast, and in how much memory, a spreadsheet of paper forms is previewed and committed.

    .venv/bin/python bench/intake.py [--rows 5000] [--format xlsx|csv] [--postgres]

A temporary database is migrated and given one open stop; a workbook of `--rows` rows (one
item each, some Arabic, some with consented contacts, a few invalid and repeated rows) is
written with openpyxl, as a delegate would save it. Then, in this process:
  - preview: read (pandas + calamine), match headers, validate every row with the form's
    rules, look for duplicates, keep the pending batch in the database;
  - commit:  store every valid row in one transaction (submissions, items, audit row).
Printed: wall and CPU seconds of each step, rows stored, and peak resident memory
(ru_maxrss). The goal is preview + commit <= 10 s for 5,000 rows on this 2-core machine.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a scratch database on TEST_DATABASE_URL's server, not SQLite",
    )
    args = parser.parse_args()

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
