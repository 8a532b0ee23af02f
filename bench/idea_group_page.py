"""The largest idea group's own page on a seeded PostgreSQL database, for the delegate of the
largest region and for HQ: its first page and its last, p50/p95 of the wall time, the client's
CPU time and the time spent in SQL (the statements are counted).

A database seeded by bench/scale.py (`--seed-only`, or a copy of one); the load average is
printed with each figure, since the wall times grow with whatever else runs.

    .venv/bin/python bench/idea_group_page.py --database URL --repeat 10
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review import percentile, signed_in_client
from sqlalchemy import event, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import EVERY_REGION, IdeaGroupTally, User


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a seeded PostgreSQL database URL")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": args.database,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
        sql = {"count": 0, "seconds": 0.0}

        @event.listens_for(db.engine, "before_cursor_execute")
        def _started(conn, _cursor, _statement, _params, _context, _many) -> None:
            conn.info["started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _done(conn, _cursor, _statement, _params, _context, _many) -> None:
            sql["count"] += 1
            sql["seconds"] += time.perf_counter() - conn.info["started"]

        delegate = db.session.scalar(select(User).where(User.email == "delegate@bench.ma"))
        assert delegate is not None
        region = delegate.regions[0].id
        db.session.rollback()
        print(f"load average at start {_load()}", flush=True)
        for role, email, tally in (
            ("delegate", "delegate@bench.ma", region),
            ("hq", "hq@bench.ma", EVERY_REGION),
        ):
            group, items = db.session.execute(
                select(IdeaGroupTally.group_id, IdeaGroupTally.items)
                .where(IdeaGroupTally.region_id == tally)
                .order_by(IdeaGroupTally.items.desc(), IdeaGroupTally.group_id)
                .limit(1)
            ).one()
            db.session.rollback()
            client = signed_in_client(app, email)
            for name, query in (("first page", ""), ("last page", "?page=last")):
                path = f"/review/ideas/{group}{query}"
                if client.get(path).status_code != 200:  # warm-up
                    raise RuntimeError(f"{path} did not answer 200")
                wall, cpu, in_sql = [], [], []
                for _ in range(args.repeat):
                    sql["count"], sql["seconds"] = 0, 0.0
                    started, started_cpu = time.perf_counter(), time.process_time()
                    client.get(path).get_data()
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    in_sql.append(sql["seconds"] * 1000)
                print(
                    f"{role:8} group {group} ({items:,} entries) {name:10}  wall p50 "
                    f"{percentile(wall, 0.5):7.1f} ms p95 {percentile(wall, 0.95):7.1f} ms  "
                    f"CPU p50 {percentile(cpu, 0.5):6.1f} ms  SQL p50 "
                    f"{percentile(in_sql, 0.5):6.1f} ms in {sql['count']} statements  "
                    f"(load {_load()})",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
