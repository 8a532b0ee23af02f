"""Idea groups' titles and quotes at national scale: kept with the tallies vs counted.

    .venv/bin/python bench/idea_words.py --database postgresql+psycopg://.../db

On a seeded, regrouped and migrated database (bench/scale.py --database URL), for HQ (every
region) and the delegate of the largest region, the groups a brief shows (TOP_IDEAS of each
kind): their automatic titles and quotes read from `idea_group_tallies` (what the pages do),
then counted from the rows (what they did, kept for scopes of several regions), best of
`--repeat`, checked equal. Then what a review adds to a click, for a few new submissions
(rolled back): marked reviewed (their entries join the kept quote candidates) and marked
spam (their groups recounted, as before). Prints milliseconds and the load.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review_seed import seeded_before
from sqlalchemy import func, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import EVERY_REGION, IdeaGroupTally, ReviewStatus, Submission
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.ideas import queries, tallies
from feedback_app.services.synthesis.brief import TOP_IDEAS


def _best(fn: Callable[..., Any], repeat: int, *args: Any) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best * 1000, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reviews", type=int, default=5)
    args = parser.parse_args(argv)
    print("load average at start " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": args.database})
    with app.app_context():
        session = db.session
        seeded = seeded_before(db.engine)
        delegate = Scope(user_id=None, region_ids=frozenset({seeded.delegate_region_id}))
        for name, scope in (("HQ", EVERYTHING), ("delegate", delegate)):
            shown = [
                g.id
                for groups in queries.top_groups_by_kind(session, scope, TOP_IDEAS).values()
                for g in groups
            ]
            for what, stored, counted in (
                ("titles", queries.automatic_titles, queries.counted_automatic_titles),
                ("quotes", queries.group_quotes, queries.counted_group_quotes),
            ):
                kept_ms, kept = _best(stored, args.repeat, session, scope, shown)
                rows_ms, rows = _best(counted, args.repeat, session, scope, shown)
                same = "equal" if kept == rows else "DIFFERENT"
                print(
                    f"{name:8} {what} of {len(shown)} groups: kept {kept_ms:8.1f} ms, "
                    f"counted {rows_ms:8.1f} ms ({same})",
                    flush=True,
                )
                if kept != rows:
                    return 1
            session.rollback()
        ids = session.scalars(
            select(Submission.id)
            .where(Submission.status == ReviewStatus.NEW)
            .order_by(Submission.id)
            .offset(10_000)
            .limit(20_000)
        ).all()
        for submission_id in random.Random(5).sample(list(ids), args.reviews):
            submission = session.get(Submission, submission_id)
            assert submission is not None
            groups = tallies.groups_of_submission(session, submission_id)
            members = session.scalar(
                select(func.sum(IdeaGroupTally.items)).where(
                    IdeaGroupTally.region_id == EVERY_REGION, IdeaGroupTally.group_id.in_(groups)
                )
            )
            for status in (ReviewStatus.REVIEWED, ReviewStatus.SPAM):
                submission.status = status
                session.flush()
                start = time.perf_counter()
                tallies.status_changed(session, submission, ReviewStatus.NEW)
                ms = (time.perf_counter() - start) * 1000
                session.rollback()
                print(
                    f"marked {status.value:8}: its {len(groups)} groups ({members or 0} items) "
                    f"followed in {ms:.1f} ms"
                )
    print("load average at end " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
