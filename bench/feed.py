"""The BI feed read end to end as Power BI would: every page of /api/v1/feed/entries (and the
submissions), JSON and CSV, with one token — time, rows a second, and the writes its use cost.

    .venv/bin/python bench/feed.py --submissions 20000 --backend sqlite

Prints figures; asserts nothing.
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
from review import PASSWORD
from review_seed import seed
from sqlalchemy import func, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import AuditEvent, User
from feedback_app.services.accounts.api_tokens import create_token
from feedback_app.services.accounts.passwords import hash_password


def run_backend(backend: str, submissions: int, limit: int) -> None:
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
            hq = db.session.scalar(select(User).where(User.email == "hq@bench.ma"))
            assert hq is not None
            token = create_token(db.session, hq, name="bench", days=30).token
            client = app.test_client()
            headers = {"Authorization": f"Bearer {token}"}
            for path in (
                f"/api/v1/feed/entries?limit={limit}",
                f"/api/v1/feed/entries.csv?limit={limit}",
                f"/api/v1/feed/submissions?limit={limit}",
            ):
                writes_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
                started = time.perf_counter()
                rows = pages = size = 0
                url: str | None = path
                while url:
                    response = client.get(url, headers=headers)
                    assert response.status_code == 200, response.status_code
                    pages += 1
                    size += len(response.data)
                    if path.split("?")[0].endswith(".csv"):
                        rows += response.data.count(b"\r\n") - 1  # minus the heading line
                        link = response.headers.get("Link")
                        url = link[1 : link.index(">")] if link else None
                    else:
                        body = response.get_json()
                        rows += len(body["data"])
                        url = body["next"]
                elapsed = time.perf_counter() - started
                db.session.rollback()
                writes = (
                    db.session.scalar(select(func.count()).select_from(AuditEvent)) - writes_before
                )
                print(
                    f"[{backend}] {path}: {rows:,} rows in {pages} pages, {elapsed:.1f} s "
                    f"({rows / elapsed:,.0f} rows/s, {size / 1e6:.1f} MB), "
                    f"audit rows written: {writes}",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    args = parser.parse_args()
    for backend in args.backend or ["sqlite"]:
        run_backend(backend, args.submissions, args.limit)


if __name__ == "__main__":
    main()
