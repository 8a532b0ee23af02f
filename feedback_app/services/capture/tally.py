"""The live screen's running counts (models/tally.py), changed inside the caller's transaction.

What is counted, per stop: the contributions that are not spam (`submissions` row: submissions,
paper rows of one organisation counting once, models/contribution.py) and by category, and their
items by kind and theme and the shortlisted ones. That is exactly what the dashboard and the
workbook's "Synthèse" count (services/synthesis/figures.py, any date, statuses new and
reviewed): they read these rows unless a period or a status is chosen.

Every path that adds, moves or removes counted items (the form, the API and the tablet page,
an import, a reviewer's change of kind or theme, marking spam or taking it back) describes what
it does as `Changes` and hands them to `apply`, the one function that writes these rows, in its
own write transaction: a submission and its counts commit or roll back together. The counts are
upserts (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike), so two first
submissions of a stop arriving together cannot collide. `differences` recounts from the rows
(`flask tally check`), `recount` rewrites them.

By review status, per stop (models/tally.py): the contributions the stop holds whatever their
status (the stops list), the submissions still new (the stops list, the review desk, the
sign-off), the reviewed contributions and reviewed items by kind (the public follow-up page).
Storing a submission (`store`), a change of status (`change_status`) and a reviewed item's new
kind (`move_reviewed_item`) move them through the same `apply`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Insert, and_, case, delete, distinct, func, insert, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from feedback_app.models import (
    FeedbackItem,
    ItemKind,
    ReviewStatus,
    StopTally,
    Submission,
    contributions,
)
from feedback_app.models.tally import (
    CATEGORY,
    HELD,
    NEW,
    NO_THEME,
    REVIEWED,
    SHORTLISTED,
    SUBMISSIONS,
)

Key = tuple[str, int]  # (kind, theme key)
Row = tuple[int, str, int]  # (stop id, kind or SUBMISSIONS, theme key)


def item_key(kind: ItemKind | str, theme_id: int | None) -> Key:
    return (ItemKind(kind).value, theme_id or NO_THEME)


@dataclass
class Changes:
    """What one write does to the counts, gathered before `apply` writes them at once."""

    by_stop: dict[int, Counter[Key]] = field(default_factory=dict)

    def _stop(self, stop_id: int) -> Counter[Key]:
        return self.by_stop.setdefault(stop_id, Counter())

    def add_submission(
        self,
        stop_id: int,
        category: str,
        items: Iterable[Key],
        shortlisted: Iterable[ItemKind | str] = (),
        *,
        contribution: bool = True,
    ) -> Changes:
        """A counted submission more at the stop (stored, or taken back from spam); not a
        contribution more (in all and in its category) when it is a paper row of an
        organisation already counted there. `shortlisted`: the kinds of its shortlisted items."""
        changes = self._stop(stop_id)
        changes[(SUBMISSIONS, NO_THEME)] += int(contribution)
        changes[(CATEGORY + category, NO_THEME)] += int(contribution)
        changes.update(shortlist_key(kind) for kind in shortlisted)
        changes.update(items)
        return self

    def remove_submission(
        self,
        stop_id: int,
        category: str,
        items: Iterable[Key],
        shortlisted: Iterable[ItemKind | str] = (),
        *,
        contribution: bool = True,
    ) -> Changes:
        """A counted submission less (marked spam); a contribution less unless other paper rows
        of its organisation at the stop are still counted."""
        changes = self._stop(stop_id)
        changes[(SUBMISSIONS, NO_THEME)] -= int(contribution)
        changes[(CATEGORY + category, NO_THEME)] -= int(contribution)
        changes.subtract(shortlist_key(kind) for kind in shortlisted)
        changes.subtract(items)
        return self

    def store(
        self,
        stop_id: int,
        category: str,
        items: Iterable[Key],
        *,
        contribution: bool = True,
        held: bool = True,
    ) -> Changes:
        """A submission stored (status new): counted, held and still new. `contribution`: a
        contribution more among the counted ones, `held`: among those the stop holds whatever
        their status (both False for a paper row of an organisation already there)."""
        self.add_submission(stop_id, category, items, contribution=contribution)
        changes = self._stop(stop_id)
        changes[(HELD, NO_THEME)] += int(held)
        changes[(NEW, NO_THEME)] += 1
        return self

    def change_status(
        self,
        stop_id: int,
        old: ReviewStatus | str,
        new: ReviewStatus | str,
        item_kinds: Iterable[ItemKind | str] = (),
        *,
        reviewed_contribution: bool = True,
    ) -> Changes:
        """The review-status counts of a submission whose status moves (spam's counted figures
        are add_submission's and remove_submission's). `item_kinds`: its items' kinds, needed
        when it enters or leaves "reviewed"; `reviewed_contribution`: False for a paper row whose
        organisation has another reviewed row at the stop."""
        old, new = ReviewStatus(old), ReviewStatus(new)
        if old is new:
            return self
        changes = self._stop(stop_id)
        changes[(NEW, NO_THEME)] += (new is ReviewStatus.NEW) - (old is ReviewStatus.NEW)
        sign = (new is ReviewStatus.REVIEWED) - (old is ReviewStatus.REVIEWED)
        if sign:
            changes[(REVIEWED, NO_THEME)] += sign * int(reviewed_contribution)
            for kind in item_kinds:
                changes[reviewed_key(kind)] += sign
        return self

    def move_reviewed_item(self, stop_id: int, old: ItemKind | str, new: ItemKind | str) -> Changes:
        """An item of a reviewed submission whose kind changed."""
        if ItemKind(old) is not ItemKind(new):
            changes = self._stop(stop_id)
            changes[reviewed_key(old)] -= 1
            changes[reviewed_key(new)] += 1
        return self

    def shortlist(self, stop_id: int, kind: ItemKind | str, delta: int) -> Changes:
        """An item of a counted submission shortlisted (+1) or taken off the shortlist (-1)."""
        self._stop(stop_id)[shortlist_key(kind)] += delta
        return self

    def move_item(self, stop_id: int, old: Key, new: Key) -> Changes:
        """An item whose kind or theme changed."""
        if old != new:
            changes = self._stop(stop_id)
            changes[old] -= 1
            changes[new] += 1
        return self


def shortlist_key(kind: ItemKind | str) -> Key:
    return (SHORTLISTED + ItemKind(kind).value, NO_THEME)


def reviewed_key(kind: ItemKind | str) -> Key:
    return (f"{REVIEWED}:{ItemKind(kind).value}", NO_THEME)


def apply(session: Session, changes: Changes) -> None:
    """Write the changes, in the caller's write transaction: the only writer of the counts.

    Called last in a transaction, so that the tally rows are locked (PostgreSQL) only until the
    commit that follows; one statement run for every row (executemany), stops and keys in
    order, so that two transactions lock a stop's rows in the same order.
    """
    rows = [
        {"stop_id": stop_id, "kind": kind, "theme_key": theme, "count": delta}
        for stop_id, counter in sorted(changes.by_stop.items())
        for (kind, theme), delta in sorted(counter.items())
        if delta
    ]
    if rows:
        session.execute(_upsert(session.get_bind().dialect.name), rows)


@functools.cache
def _upsert(dialect: str) -> Insert:
    """The upsert, built once per dialect: building and compiling it per call (a multi-row
    VALUES whose length varies) cost more than the rest of a submission's SQL together."""
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = upsert(StopTally)
    return statement.on_conflict_do_update(
        index_elements=["stop_id", "kind", "theme_key"],
        set_={"count": StopTally.count + statement.excluded.count},
    )


def counted_status(status: ReviewStatus | str) -> bool:
    """Spam is never counted, here as on the dashboard."""
    return ReviewStatus(status) is not ReviewStatus.SPAM


# The class of the PostgreSQL advisory locks below (the second key is the stop's id).
_PAPER_LOCK = 0x5041


def lock_paper_rows(session: Session, stop_id: int) -> None:
    """Serialise, until the commit, the writers that decide whether paper rows of this stop
    add or remove a contribution (imports, spam changes of imported rows): each reads which
    organisations already count, and two at once on PostgreSQL (READ COMMITTED) would both
    count one organisation. SQLite writers are serialised already (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:lock, :stop)"),
            {"lock": _PAPER_LOCK, "stop": stop_id},
        )


def paper_key_statuses(
    session: Session, keys: Iterable[str], *, besides: int | None = None
) -> dict[str, set[ReviewStatus]]:
    """The statuses of the stored rows holding each of these paper keys (other than
    `besides`); a key no row holds is left out. A row whose key is held already adds no
    contribution the stop holds; one whose key a counted (not spam) row holds adds or removes
    no counted contribution; one whose key a reviewed row holds, no reviewed one."""
    chosen = set(keys)
    if not chosen:
        return {}
    query = select(Submission.paper_key, Submission.status).where(Submission.paper_key.in_(chosen))
    if besides is not None:
        query = query.where(Submission.id != besides)
    found: dict[str, set[ReviewStatus]] = {}
    for key, status in session.execute(query.distinct()):
        if key is not None:
            found.setdefault(key, set()).add(ReviewStatus(status))
    return found


def counted_paper_keys(
    session: Session, keys: Iterable[str], *, besides: int | None = None
) -> set[str]:
    """Which of these paper keys already count as a contribution: held by a counted submission
    (other than `besides`). A row whose key is among them adds or removes no contribution."""
    return {
        key
        for key, statuses in paper_key_statuses(session, keys, besides=besides).items()
        if statuses - {ReviewStatus.SPAM}
    }


def other_rows_statuses(session: Session, submission: Submission) -> set[ReviewStatus]:
    """The statuses of the other rows of this paper row's organisation at its stop, under the
    stop's lock until the commit; empty for a form, API or tablet submission (each its own
    contribution). Its status change moves the counted contributions when none of them is
    counted, the reviewed ones when none of them is reviewed."""
    key = submission.paper_key
    if key is None:
        return set()
    lock_paper_rows(session, submission.stop_id)
    return paper_key_statuses(session, [key], besides=submission.id).get(key, set())


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


def counts_from_rows(session: Session, stop_ids: Collection[int] | None = None) -> dict[Row, int]:
    """What the counts should be (of these stops, else all), recounted from the submissions and
    items (GROUP BYs)."""
    chosen = Submission.stop_id.in_(stop_ids) if stop_ids is not None else true()
    counted = and_(chosen, Submission.status != ReviewStatus.SPAM)
    is_reviewed = and_(chosen, Submission.status == ReviewStatus.REVIEWED)
    expected: dict[Row, int] = {
        (stop_id, SUBMISSIONS, NO_THEME): count
        for stop_id, count in session.execute(
            select(Submission.stop_id, contributions()).where(counted).group_by(Submission.stop_id)
        )
    }
    for stop_id, category, count in session.execute(
        select(Submission.stop_id, Submission.category_code, contributions())
        .where(counted)
        .group_by(Submission.stop_id, Submission.category_code)
    ):
        expected[(stop_id, CATEGORY + category, NO_THEME)] = count
    for stop_id, kind, count in session.execute(
        select(Submission.stop_id, FeedbackItem.kind, func.count())
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(counted, FeedbackItem.shortlisted.is_(True))
        .group_by(Submission.stop_id, FeedbackItem.kind)
    ):
        expected[(stop_id, *shortlist_key(kind))] = count
    for stop_id, held, new, reviewed in session.execute(
        select(
            Submission.stop_id,
            contributions(),
            func.count(case((Submission.status == ReviewStatus.NEW, 1))),
            # contributions() among the reviewed rows: rows without a key, plus distinct keys
            func.count(case((and_(is_reviewed, Submission.paper_key.is_(None)), 1)))
            + func.count(distinct(case((is_reviewed, Submission.paper_key)))),
        )
        .where(chosen)
        .group_by(Submission.stop_id)
    ):
        expected[(stop_id, HELD, NO_THEME)] = held
        expected[(stop_id, NEW, NO_THEME)] = new
        expected[(stop_id, REVIEWED, NO_THEME)] = reviewed
    for stop_id, kind, count in session.execute(
        select(Submission.stop_id, FeedbackItem.kind, func.count())
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(is_reviewed)
        .group_by(Submission.stop_id, FeedbackItem.kind)
    ):
        expected[(stop_id, *reviewed_key(kind))] = count
    theme = func.coalesce(FeedbackItem.theme_id, NO_THEME)
    for stop_id, kind, theme_key, count in session.execute(
        select(Submission.stop_id, FeedbackItem.kind, theme, func.count())
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(counted)
        .group_by(Submission.stop_id, FeedbackItem.kind, theme)
    ):
        expected[(stop_id, ItemKind(kind).value, int(theme_key))] = count
    return {key: count for key, count in expected.items() if count}


@dataclass(frozen=True)
class Difference:
    stop_id: int
    kind: str
    theme_key: int
    counted: int  # what the tally row says
    rows: int  # what the submissions and items say


def differences(session: Session) -> list[Difference]:
    """Every count that disagrees with the rows; empty when all agree (zero rows count as 0)."""
    stored: dict[Row, int] = {
        (s, k, t): c
        for s, k, t, c in session.execute(
            select(StopTally.stop_id, StopTally.kind, StopTally.theme_key, StopTally.count)
        )
    }
    expected = counts_from_rows(session)
    return [
        Difference(*key, counted=stored.get(key, 0), rows=expected.get(key, 0))
        for key in sorted(stored.keys() | expected.keys())
        if stored.get(key, 0) != expected.get(key, 0)
    ]


def recount(session: Session, stop_ids: Iterable[int] | None = None) -> None:
    """Rewrite the counts (of these stops, else all) from the rows, in the caller's write
    transaction: `tally check --fix`, and bulk writers that set statuses or themes in SQL."""
    chosen = None if stop_ids is None else set(stop_ids)
    expected = counts_from_rows(session, chosen)
    clear = delete(StopTally)
    if chosen is not None:
        clear = clear.where(StopTally.stop_id.in_(chosen))
    session.execute(clear)
    if expected:
        session.execute(
            insert(StopTally),
            [
                {"stop_id": s, "kind": k, "theme_key": t, "count": c}
                for (s, k, t), c in sorted(expected.items())
            ],
        )
