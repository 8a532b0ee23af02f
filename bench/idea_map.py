"""How long the national map of ideas takes on a big tour (issue 23, item 4).

    .venv/bin/python bench/idea_map.py [--items 30000]

Seeds a temporary SQLite database like bench/export.py (12 regions, three items per
submission, groups computed once), then times, best of three: the map's two aggregate queries
(`idea_map` with the titles handed in, as the workbook does), the page's map (the first 200
rows, their titles read for the reader), the map complete with titles, and for scale the
"Idées récurrentes" rows (`idea_rows`) the workbook already reads and the dashboard's titled
top ideas. Prints seconds and counts.
The machine is shared: figures are noisy under load.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import _app, seed  # noqa: E402


def _best(fn, runs: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def _spread(session, groups: int) -> None:
    """Item n of kind k joins synthetic group (n % groups) of that kind."""
    from sqlalchemy import delete, insert, select

    from feedback_app.models import FeedbackItem, IdeaGroup, IdeaGroupMember

    session.execute(delete(IdeaGroupMember))
    session.execute(delete(IdeaGroup))
    ids: dict[tuple[str, int], int] = {}
    rows = []
    for n, (item_id, kind) in enumerate(
        session.execute(select(FeedbackItem.id, FeedbackItem.kind))
    ):
        key = (kind.value, n % groups)
        if key not in ids:
            ids[key] = len(ids) + 1
            session.execute(insert(IdeaGroup).values(id=ids[key], kind=kind, title="g"))
        rows.append({"item_id": item_id, "group_id": ids[key], "closeness": (n % 97) / 97})
    session.execute(insert(IdeaGroupMember), rows)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=30_000)
    parser.add_argument(
        "--groups",
        type=int,
        default=2000,
        help="after the grouping, spread the items over this many synthetic groups (random "
        "texts make a few huge groups; a real tour has many)",
    )
    args = parser.parse_args()
    from feedback_app.extensions import db
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.ideas.queries import top_groups_by_kind
    from feedback_app.services.synthesis.figures import SynthesisFilters, resolve
    from feedback_app.services.synthesis.idea_map import idea_map
    from feedback_app.services.synthesis.ideas import idea_rows

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        start = time.perf_counter()
        seed(url, args.items, random.Random(23))
        print(f"seeded and grouped {args.items} items in {time.perf_counter() - start:.1f} s")
        app = _app(url)
        with app.app_context():
            session = db.session
            if args.groups:
                _spread(session, args.groups)
            sel = resolve(session, EVERYTHING, SynthesisFilters(), language="fr")
            rows_s, rows = _best(lambda: idea_rows(session, sel))
            titles = {r.number: r.titles for r in rows}  # type: ignore[attr-defined]
            agg_s, full = _best(lambda: idea_map(session, sel, titles))
            page_s, page = _best(lambda: idea_map(session, sel, limit=200))
            all_s, _all = _best(lambda: idea_map(session, sel))
            print(f"groups on the map: {len(full.rows)}; regions: {len(full.regions)}")
            print(f"map, aggregates only (workbook):      {agg_s:.3f} s")
            print(f"map page (200 rows, titles read):     {page_s:.3f} s ({len(page.rows)} rows)")
            print(f"map complete, titles read:            {all_s:.3f} s")
            print(f"for scale, 'Idées récurrentes' rows:  {rows_s:.3f} s")
            top_s, _top = _best(lambda: top_groups_by_kind(session, EVERYTHING, 5))
            print(f"dashboard's ideas (5 per kind, titled): {top_s:.3f} s")


if __name__ == "__main__":
    main()
