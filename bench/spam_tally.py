"""Marking spam, and taking it back, in the idea tallies at national scale.

    .venv/bin/python bench/spam_tally.py --database postgresql+psycopg://.../db

On a seeded, regrouped and migrated database (bench/scale.py --database URL): a few
submissions (one reviewed, the others new) holding an item of the largest idea groups, each
marked spam then taken back (`tallies.status_changed`, what the review desk and the bulk action
run), rolled back. Prints, per step, milliseconds, SQL statements, the rows they returned (what
shows whether a step still reads more of a larger group) and the items of the submission's
groups, then whether the stored tallies still equal a recount of those groups.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import (
    EVERY_REGION,
    FeedbackItem,
    IdeaGroupMember,
    IdeaGroupTally,
    ReviewStatus,
    Submission,
)
from feedback_app.services.ideas import tallies


def _stored(session, groups):  # type: ignore[no-untyped-def]
    # Of the quote candidates, the quotes chosen from them: a review adds its entries to them
    # without dropping those they now rule out (services/ideas/quotes.py). The texts counted
    # last: unknown (None) once past QUOTE_TEXTS texts, until the group is recounted.
    columns = [
        c.key
        for c in IdeaGroupTally.__table__.columns
        if c.key not in ("quote_candidates", "quote_texts")
    ]
    return sorted(
        (*(getattr(row, key) for key in columns), row.quote_texts)
        for row in session.scalars(
            select(IdeaGroupTally).where(IdeaGroupTally.group_id.in_(groups))
        )
    )


def _same(stored, recount) -> bool:  # type: ignore[no-untyped-def]
    """Equal rows, the texts counted equal unless unknown."""
    return [r[:-1] for r in stored] == [r[:-1] for r in recount] and all(
        s[-1] is None or s[-1] == r[-1] for s, r in zip(stored, recount, strict=True)
    )


def _buffers(session, reads) -> int:  # type: ignore[no-untyped-def]
    """Shared buffers (hit and read) of these SELECTs, run again under EXPLAIN ANALYZE."""
    cursor = session.connection().connection.cursor()
    total = 0
    for statement, parameters in reads:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]["Plan"]
        total += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--submissions", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="compare with a recount (slow)")
    parser.add_argument(
        "--buffers",
        action="store_true",
        help="the buffers PostgreSQL touched for the step's reads, whatever the load (each "
        "SELECT run again under EXPLAIN ANALYZE after the step, in its transaction)",
    )
    args = parser.parse_args(argv)
    print("load average at start " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": args.database})
    with app.app_context():
        session = db.session
        statements = [0]
        rows = [0]
        slow: list[tuple[float, str]] = []
        reads: list[tuple[str, object]] = []
        started: list[float] = [0.0]

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(
            _c: object, _cur: object, statement: str, parameters: object, *_a: object
        ) -> None:
            statements[0] += 1
            if statement.lstrip().upper().startswith("SELECT"):
                reads.append((statement, parameters))
            started[0] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _time(_c: object, cursor: object, statement: str, *_a: object) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                rows[0] += max(getattr(cursor, "rowcount", 0) or 0, 0)
            slow.append((time.perf_counter() - started[0], " ".join(statement.split())))

        largest = session.scalar(
            select(IdeaGroupTally.group_id)
            .where(IdeaGroupTally.region_id == EVERY_REGION)
            .order_by(IdeaGroupTally.items.desc())
            .limit(1)
        )
        picked: list[int] = []
        for status in (ReviewStatus.REVIEWED, ReviewStatus.NEW):
            picked += session.scalars(
                select(Submission.id)
                .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
                .join(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
                .where(IdeaGroupMember.group_id == largest, Submission.status == status)
                .order_by(Submission.id)
                .limit(1 if status is ReviewStatus.REVIEWED else args.submissions - 1)
            ).all()
        for submission_id in picked:
            submission = session.get(Submission, submission_id)
            assert submission is not None
            groups = tallies.groups_of_submission(session, submission_id)
            members = session.scalar(
                select(func.sum(IdeaGroupTally.items)).where(
                    IdeaGroupTally.region_id == EVERY_REGION, IdeaGroupTally.group_id.in_(groups)
                )
            )
            first = submission.status
            stored = _stored(session, groups) if args.check else None
            for before, after in ((first, ReviewStatus.SPAM), (ReviewStatus.SPAM, first)):
                submission.status = after
                session.flush()
                statements[0] = rows[0] = 0
                slow.clear()
                reads.clear()
                start, cpu = time.perf_counter(), time.process_time()
                tallies.status_changed(session, submission, before)
                session.flush()
                ms = (time.perf_counter() - start) * 1000
                cpu_ms = (time.process_time() - cpu) * 1000
                print(
                    f"submission {submission_id} ({first.value}) {before.value:>8} -> "
                    f"{after.value:8}: {len(groups)} groups ({members or 0} items) followed in "
                    f"{ms:.1f} ms (app CPU {cpu_ms:.1f} ms), {statements[0]} statements, "
                    f"{rows[0]} rows read",
                    flush=True,
                )
                for seconds, statement in sorted(slow, reverse=True)[:3]:
                    print(f"    {seconds * 1000:7.1f} ms  {statement[:160]}")
                if args.buffers:
                    print(f"  buffers touched by its reads: {_buffers(session, list(reads))}")
                if args.check:
                    now = _stored(session, groups)
                    tallies.refresh(session, groups)
                    recount = _stored(session, groups)
                    slow.clear()
                    print("  stored equals a recount:", _same(now, recount), flush=True)
                    if not _same(now, recount):
                        return 1
            if stored is not None:
                print("  back as before:", _same(_stored(session, groups), stored), flush=True)
            session.rollback()
    print("load average at end " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
