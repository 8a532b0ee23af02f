"""The review list's statements, one by one, with PostgreSQL's own timing of each.

On an existing, seeded PostgreSQL database (bench/scale.py --seed-only, bench/review.py's seed),
signed in as the delegate of the largest region and as HQ, each scenario of bench/review.py is
requested once through the Flask test client while every statement it sends is recorded; each
recorded statement is then run again under EXPLAIN (ANALYZE, BUFFERS) and its execution time,
the buffers it touched and the first line of its plan are printed, slowest first. Server-side
figures: they grow less with the machine's load than the wall times of bench/scale.py.

    .venv/bin/python bench/review_plans.py --database postgresql+psycopg://postgres@127.0.0.1:5432/db
    .venv/bin/python bench/review_plans.py --database URL --only "kind=proposal" --plans
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review import scenarios, signed_in_client
from review_seed import seeded_before
from sqlalchemy import event

from feedback_app import create_app
from feedback_app.extensions import db

EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
BUFFERS = re.compile(r"Buffers: shared (?:hit=(\d+))?\s*(?:read=(\d+))?")
SLOW_MS = 5.0  # statements faster than this are summed, not printed


PARAM = re.compile(r"%\((\w+)\)s")


def _explain(raw, statement: str, params, generic: bool) -> tuple[float, int, list[str]]:
    with raw.cursor() as cursor:
        if generic:
            # What a statement run many times on one connection gets: psycopg prepares it
            # (prepare_threshold) and PostgreSQL may then keep one plan for every value.
            names: list[str] = []

            def number(match: re.Match) -> str:
                names.append(match.group(1))
                return f"${len(names)}"

            prepared = PARAM.sub(number, statement).replace("%%", "%")
            cursor.execute("DEALLOCATE ALL")
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute("PREPARE measured AS " + prepared)
            values = ", ".join(_literal(cursor, (params or {})[name]) for name in names)
            arguments = f"({values})" if names else ""
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE measured{arguments}")
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        lines = [row[0] for row in cursor.fetchall()]
    raw.rollback()
    took = next((float(m.group(1)) for line in lines if (m := EXECUTION.search(line))), 0.0)
    first = next((m for line in lines if (m := BUFFERS.search(line))), None)
    pages = sum(int(g or 0) for g in first.groups()) if first else 0
    return took, pages, lines


def _literal(cursor, value) -> str:
    from psycopg.sql import Literal

    return Literal(value).as_string(cursor.connection)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a seeded PostgreSQL database URL")
    parser.add_argument("--only", help="scenarios whose name contains this")
    parser.add_argument("--role", choices=["delegate", "hq", "both"], default="both")
    parser.add_argument("--plans", action="store_true", help="print each slow statement's plan")
    parser.add_argument(
        "--generic", action="store_true", help="explain the generic plan of each statement"
    )
    args = parser.parse_args(argv)
    print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    app = create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": args.database,
            "RATELIMIT_ENABLED": False,
        }
    )
    recorded: list[tuple[str, object]] = []

    with app.app_context():
        logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
        seeded = seeded_before(db.engine)

        @event.listens_for(db.engine, "before_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, _many) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                recorded.append((statement, parameters))

        roles = ("delegate", "hq") if args.role == "both" else (args.role,)
        for role in roles:
            client = signed_in_client(app, f"{role}@bench.ma")
            for name, path in scenarios(seeded, role):
                if args.only and args.only not in name:
                    continue
                client.get(path)  # warm-up
                recorded.clear()
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                statements = list(recorded)
                raw = db.engine.raw_connection()
                try:
                    timed = [(*_explain(raw, s, p, args.generic), s) for s, p in statements]
                finally:
                    raw.close()
                total = sum(t for t, *_rest in timed)
                print(f"\n{role:8} {name:32} {len(timed)} statements, {total:7.1f} ms in all")
                for took, pages, lines, statement in sorted(timed, key=lambda t: -t[0]):
                    if took < SLOW_MS:
                        continue
                    head = " ".join(statement.split())[:150]
                    print(f"   {took:8.1f} ms {pages:7} pages  {head}")
                    if args.plans:
                        print("\n".join("      " + line for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
