"""Public follow-up pages: latency of /suivi/<region> and /suivi/ref/<reference> at scale.

Seeds `--submissions` submissions (bench/review_seed.py: four entries each, a quarter of them
reviewed, twelve regions of unequal size) in a fresh database, titles `--groups` recurring
ideas of the busiest region (two to twenty reviewed entries each), records `--commitments`
commitments answering them, then requests each page `--requests` times in-process (Flask's
test client: the app, its queries and its templates, no network) and prints p50/p95/max.
The goal (issue 24): p95 < 100 ms at 100,000 submissions, without any shared cache in front.

The region page is measured twice: as it is served between two changes (from each worker's
memory, after the few reads that tell whether something changed), and right after a change
(outside the timing, before each request: a curation, after which everything is recomputed;
a review in the region, after which what was heard is; a commitment's change, after which
what was decided is).
`/healthz` (no database) is measured in the same run: on a loaded machine, compare with it.

    make -o .venv/.installed bench-followup      # both backends, 100,000 submissions
    .venv/bin/python bench/followup.py --backend sqlite --submissions 20000

PostgreSQL is reached at BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import BACKENDS, flask_cli, fresh_database
from review_seed import DELEGATE_REGION, seed
from sqlalchemy import create_engine, insert, select, update

from feedback_app import create_app
from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import (
    Commitment,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Region,
    ReviewStatus,
    Submission,
)
from feedback_app.models.types import utcnow
from feedback_app.services.access import EVERYTHING
from feedback_app.services.codes import receipt_reference
from feedback_app.services.followup.commitments import (
    CommitmentInput,
    change_status,
    create_commitment,
)
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.ideas.titles import count_curation


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _titled_groups(region_id: int, count: int, rng: random.Random) -> list[int]:
    rows = db.session.execute(
        select(FeedbackItem.id, FeedbackItem.kind)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(
            Submission.region_id == region_id,
            Submission.status == ReviewStatus.REVIEWED,
            FeedbackItem.kind == ItemKind.NEED,  # a group holds items of its own kind
        )
        .order_by(FeedbackItem.id)
        .limit(count * 20)
    ).all()
    groups, position = [], 0
    for number in range(count):
        size = rng.randint(2, 20)
        members = rows[position : position + size]
        position += size
        if len(members) < 2:
            break
        group = IdeaGroup(kind=members[0].kind, title=f"Idée titrée n° {number}", title_locked=True)
        db.session.add(group)
        db.session.flush()
        db.session.execute(
            insert(IdeaGroupMember),
            [
                {"item_id": m.id, "group_id": group.id, "pinned": True, "closeness": 1.0}
                for m in members
            ],
        )
        groups.append(group.id)
    # Counted as a person's grouping is (services/ideas/curation.py): the pages, and the check
    # that a commitment's groups exist in the reader's scope, read the tallies.
    idea_tallies.refresh(db.session, groups)
    db.session.commit()
    return groups


def _time(client, path: str, requests: int, before=None) -> list[float]:
    timings = []
    for _ in range(requests):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def run(backend: str, submissions: int, groups: int, commitments: int, requests: int) -> None:
    with fresh_database(backend) as url:
        flask_cli(url, "db", "upgrade")
        engine = create_engine(url)
        started = time.perf_counter()
        seeded = seed(engine, submissions)
        engine.dispose()
        print(
            f"[{backend}] seeded {seeded.submissions} submissions in "
            f"{time.perf_counter() - started:.1f} s"
        )
        app = create_app(
            {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
        )
        logging.getLogger("feedback_app.requests").setLevel(logging.WARNING)
        rng = random.Random(3)
        with app.app_context():
            region = db.session.scalar(select(Region).where(Region.slug == DELEGATE_REGION))
            assert region is not None
            group_ids = _titled_groups(region.id, groups, rng)
            for number in range(commitments):
                made = create_commitment(
                    db.session,
                    EVERYTHING,
                    CommitmentInput(
                        title_fr=f"Engagement {number}",
                        title_ar=f"التزام {number}",
                        description_fr="Description.",
                        description_ar="وصف.",
                        owner="Conseil régional",
                        region_slugs=[DELEGATE_REGION],
                        group_ids=rng.sample(group_ids, min(3, len(group_ids))),
                    ),
                    actor_id=None,
                )
                change_status(
                    db.session,
                    EVERYTHING,
                    made.id,
                    status="in_progress",
                    progress=30,
                    reason="Budget voté.",
                    actor_id=None,
                )
            followed = db.session.scalar(
                select(Submission)
                .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
                .join(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
                .limit(1)
            )
            assert followed is not None
            # The seed's references are sequential: give this one a real receipt reference.
            followed.reference = reference = receipt_reference(region.code)
            followed.status = ReviewStatus.REVIEWED
            followed_id, last_commitment = followed.id, made.id
            db.session.commit()
            db.session.remove()
            client = app.test_client()

            def curate() -> None:  # what a rename or a merge does to every cached page
                with write_transaction(db.session):
                    count_curation(db.session)
                db.session.remove()

            def commit_change() -> None:  # a commitment's status, texts or milestones changed
                with write_transaction(db.session):
                    db.session.execute(
                        update(Commitment)
                        .where(Commitment.id == last_commitment)
                        .values(updated_at=utcnow())
                    )
                db.session.remove()

            def review() -> None:  # a reviewer's change to one of the region's submissions
                with write_transaction(db.session):
                    db.session.execute(
                        update(Submission)
                        .where(Submission.id == followed_id)
                        .values(updated_at=utcnow())
                    )
                db.session.remove()

            load = os.getloadavg()[0]
            for name, path, before in (
                ("trivial /healthz", "/healthz", None),
                ("region page", f"/suivi/{DELEGATE_REGION}", None),
                ("region page (ar)", f"/suivi/{DELEGATE_REGION}?lang=ar", None),
                ("region, curated", f"/suivi/{DELEGATE_REGION}", curate),
                ("region, reviewed", f"/suivi/{DELEGATE_REGION}", review),
                ("region, committed", f"/suivi/{DELEGATE_REGION}", commit_change),
                ("reference page", f"/suivi/ref/{reference}", None),
                ("commitments API", "/api/v1/commitments", None),
            ):
                _time(client, path, 3)  # warm caches
                timings = _time(client, path, requests, before)
                print(
                    f"[{backend}] {name:19s} p50 {statistics.median(timings):6.1f} ms  "
                    f"p95 {percentile(timings, 0.95):6.1f} ms  max {max(timings):6.1f} ms  "
                    f"({requests} requests, load average {load:.1f})"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=60)
    parser.add_argument("--commitments", type=int, default=12)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    for backend in args.backend or BACKENDS:
        run(backend, args.submissions, args.groups, args.commitments, args.requests)


if __name__ == "__main__":
    main()
