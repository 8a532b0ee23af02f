"""The review list's file export ("Exporter cette liste") over a large selection: time to the
last byte and the process's peak memory above its start, for the CSV and the .xlsx.

    .venv/bin/python bench/review_list_export.py --submissions 50000 --backend sqlite

Prints figures; asserts nothing. The files stream (rows read in chunks, the .xlsx written in
constant-memory mode), so the peak should stay flat as the selection grows.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import BACKENDS, fresh_database
from review import PASSWORD, signed_in_client
from review_seed import seed

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.services.accounts.passwords import hash_password
from tests.memory import peak_mb_above_start


def run_backend(backend: str, submissions: int) -> None:
    from flask_migrate import upgrade

    with fresh_database(backend) as url:
        app = create_app(
            {"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
        )
        with app.app_context():
            upgrade()
            logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
            seeded = seed(db.engine, submissions, password_hash=hash_password(PASSWORD))
            print(f"[{backend}] {seeded.submissions:,} submissions, {seeded.items:,} entries")
            client = signed_in_client(app, "hq@bench.ma")
            paths = ("/review/export.csv", "/review/export.xlsx", "/review/export.csv?kind=need")
            for path in paths:

                def download(path: str = path) -> int:
                    response = client.get(path, buffered=False)
                    size = sum(len(chunk) for chunk in response.response)
                    response.close()
                    return size

                started = time.perf_counter()
                size, peak = peak_mb_above_start(download)
                elapsed = time.perf_counter() - started
                print(
                    f"[{backend}] {path}: {elapsed:.1f} s, {size / 1e6:.1f} MB file, "
                    f"peak memory +{peak:.0f} MB",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=50_000)
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    args = parser.parse_args()
    for backend in args.backend or ["sqlite"]:
        run_backend(backend, args.submissions)


if __name__ == "__main__":
    main()
