"""The live screen's running counts (models/tally.py), changed inside the caller's transaction.

Every function here only adds statements to the caller's `write_transaction`: a submission and
its counts, or a review change and the counts it moves, commit or roll back together. The
counts are upserts (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike), so two
first submissions of a stop arriving together cannot collide.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from feedback_app.models import ItemKind, StopTally
from feedback_app.models.tally import NO_THEME, SUBMISSIONS

Key = tuple[str, int]  # (kind, theme key)


def _key(kind: ItemKind | str, theme_id: int | None) -> Key:
    return (ItemKind(kind).value, theme_id or NO_THEME)


def _bump(session: Session, stop_id: int, changes: Counter[Key]) -> None:
    rows = [
        {"stop_id": stop_id, "kind": kind, "theme_key": theme, "count": delta}
        for (kind, theme), delta in sorted(changes.items())
        if delta
    ]
    if rows:
        # One statement run for every row (executemany), in key order so that two
        # transactions lock a stop's rows in the same order.
        session.execute(_upsert(session.get_bind().dialect.name), rows)


@functools.cache
def _upsert(dialect: str) -> Insert:
    """The upsert, built once per dialect: building and compiling it per call (a multi-row
    VALUES whose length varies) cost more than the rest of a submission's SQL together."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(StopTally)
    return statement.on_conflict_do_update(
        index_elements=["stop_id", "kind", "theme_key"],
        set_={"count": StopTally.count + statement.excluded.count},
    )


def count_submission(
    session: Session, stop_id: int, items: Iterable[tuple[ItemKind | str, int | None]]
) -> None:
    """One more submission at the stop, with its items' kinds and themes."""
    changes: Counter[Key] = Counter(_key(kind, theme) for kind, theme in items)
    changes[(SUBMISSIONS, NO_THEME)] += 1
    _bump(session, stop_id, changes)


def move_items(session: Session, moves: Iterable[tuple[int, Key, Key]]) -> None:
    """Items whose kind or theme a reviewer changed: (stop id, old key, new key) each."""
    by_stop: dict[int, Counter[Key]] = {}
    for stop_id, old, new in moves:
        if old == new:
            continue
        changes = by_stop.setdefault(stop_id, Counter())
        changes[old] -= 1
        changes[new] += 1
    for stop_id, changes in sorted(by_stop.items()):
        _bump(session, stop_id, changes)


def item_key(kind: ItemKind | str, theme_id: int | None) -> Key:
    return _key(kind, theme_id)


@dataclass(frozen=True)
class StopCounts:
    submissions: int
    by_kind: dict[str, int]
    by_theme: dict[str, dict[int, int]]  # kind -> theme id -> items; unthemed items left out


def read_counts(session: Session, stop_id: int) -> StopCounts:
    """The stop's counts: a primary-key range read of at most kinds x themes rows."""
    rows = session.execute(
        select(StopTally.kind, StopTally.theme_key, StopTally.count).where(
            StopTally.stop_id == stop_id
        )
    ).all()
    submissions = 0
    by_kind: dict[str, int] = {kind.value: 0 for kind in ItemKind}
    by_theme: dict[str, dict[int, int]] = {kind.value: {} for kind in ItemKind}
    for kind, theme, count in rows:
        if kind == SUBMISSIONS:
            submissions = count
        elif kind in by_kind:
            by_kind[kind] += count
            if theme != NO_THEME and count > 0:
                by_theme[kind][theme] = count
    return StopCounts(submissions, by_kind, by_theme)
