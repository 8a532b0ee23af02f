"""Idea groups: which items say the same thing, kept current as the data changes.

What other code calls (all take an explicit SQLAlchemy session; scope = services.access.Scope):

- `regroup_if_stale(session) -> bool`: regroups when submissions, items or reviews changed
  since the last run (a cheap fingerprint query otherwise); the background task calls it after
  submissions and review changes (tasks/grouping.py).
- `staleness(session) -> Staleness | None`: what the groups do not reflect yet (None: current),
  in a few index reads: what a page reads instead of regrouping.
- `refresh_for_export(session, full_interval=...) -> bool`: what an export runs before reading
  the groups: the task's placement of new items, never a full regrouping once one has run.
- `regroup(session, actor_id=None) -> RegroupResult`: regroups now (what the task runs).
- `idea_group_queries.top_groups(session, scope, kind=None, limit=10) -> list[GroupSummary]`:
  the most recurring ideas the reader may see, heaviest first; each GroupSummary has `id`,
  `number`, `title`, `kind`, `items`, `organisations`, `regions` (distinct counts within
  the scope). Region briefs: pass `Scope(user_id=None, region_ids=frozenset({region_id}))`.
- `idea_group_queries.group_detail(session, scope, group_id) -> GroupDetail` (NotFound outside
  the scope), `idea_group_queries.group_numbers(session, scope) -> {item_id: number}`;
  services/synthesis/ideas.py for the workbook.
- Curation (services/ideas/curation.py): `confirm_group`, `rename_group`, `merge_groups`,
  `split_group`; each audited, each pinning what a person decided.

Within a scope a group counts only its items inside the scope, and it is shown only when at
least two of them are: a delegate never sees another region's items, quotes or counts through
a group. Which title a reader sees (a region's, the national one, or the automatic one) is
decided by services/ideas/titles.py.

How the regrouper treats curation: pinned memberships never move; an automatic cluster that
holds pinned members of a group brings its unpinned items into that group; otherwise it keeps
the group most of its items were in before (numbers stay stable) or starts a new one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from sqlalchemy import Select, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    IdeaGroup,
    IdeaGroupingState,
    IdeaGroupMember,
    IdeaGroupTitle,
    IdeaItemVector,
    ItemKind,
    ReviewStatus,
    StopTally,
    Submission,
)
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.followup.links import follow_regroup
from feedback_app.services.ideas import tallies
from feedback_app.services.ideas.text import short_title
from feedback_app.services.ideas.vectors import ENCODER, encode, fill_missing, from_blobs, to_blob

# The grouping's own module is imported by the functions that group (the background task, an
# export's refresh, the CLI): it loads scikit-learn and SciPy, about 1 s of CPU and 75 MB that
# a web worker which only reads groups never needs (148 MB against 225 MB after create_app).
if TYPE_CHECKING:
    from feedback_app.services.ideas.clustering import Assigner, Settings

_STATE_ID = 1


@dataclass(frozen=True)
class RegroupResult:
    items: int
    groups: int
    grouped_items: int


@dataclass
class _Item:
    id: int
    text: str
    group_id: int | None
    pinned: bool
    vector: bytes | None = None


def fingerprint(session: Session) -> str:
    """Changes whenever an item is added or removed or a review touches a submission.

    Three index reads, whatever the corpus: the newest item, the stops' running counts of
    items (services/capture/tally.py: they move when an item is added, or leaves or comes
    back with spam) and the latest review (`ix_submissions_updated`). Counting the items
    instead took a second at 4,000,000.
    """
    last_id = session.scalar(select(func.max(FeedbackItem.id)))
    counted = session.scalar(
        select(func.sum(StopTally.count)).where(StopTally.kind.in_([k.value for k in ItemKind]))
    )
    last_update = session.scalar(select(func.max(Submission.updated_at)))
    stamp = last_update.isoformat() if last_update else "-"
    return f"{counted or 0}:{last_id or 0}:{stamp}"[:120]


def is_stale(session: Session) -> bool:
    """True when the data changed since the last run, or the encoder since the last full one."""
    row = session.execute(
        select(
            IdeaGroupingState.fingerprint, IdeaGroupingState.encoder, IdeaGroupingState.full_at
        ).where(IdeaGroupingState.id == _STATE_ID)
    ).first()
    return (
        row is None
        or row.fingerprint != fingerprint(session)
        or not _same_encoder(row.encoder, row.full_at)
    )


def meaning_is_current(session: Session) -> bool:
    """Whether the groups' meaning (their centres, kept in the tallies) comes from the vectors
    of the current encoder. False from a release that renames the encoder until the full
    regrouping that encodes every item again: the old centres must not be compared with the
    new vectors, nor the centres counted again from members that have no vector yet."""
    row = session.execute(
        select(IdeaGroupingState.encoder, IdeaGroupingState.full_at).where(
            IdeaGroupingState.id == _STATE_ID
        )
    ).first()
    return row is None or _same_encoder(row.encoder, row.full_at)


def _same_encoder(encoder: str | None, full_at: datetime | None) -> bool:
    """The last full regrouping read the current encoder's vectors, or none ran (every stored
    vector is then this release's: only a regrouping or a placement after one stores them).
    Unnamed after a full one: grouped before migration 0034, which could not tell."""
    return encoder == ENCODER or (encoder is None and full_at is None)


@dataclass(frozen=True)
class Staleness:
    """What the stored groups do not reflect yet."""

    waiting: int  # entries added since they were computed, outside spam (cut: more_than)
    computed_at: datetime | None  # when they were computed (None: never)
    # Computed with another encoder's vectors (a release renamed it): every item is encoded
    # again by the next full regrouping.
    recomputing_meaning: bool = False

    @property
    def more_than(self) -> int | None:
        """The count's cut when it was reached (a page says "more than ..."), else None."""
        return WAITING_COUNTED if self.waiting > WAITING_COUNTED else None


# A page says "more than this many" rather than count an import of a million entries.
WAITING_COUNTED = 10_000


def _last_item_id(stamp: str | None) -> int:
    """The newest item a stored fingerprint (`fingerprint`: "count:last id:review") covered."""
    try:
        return int((stamp or "").split(":")[1])
    except (IndexError, ValueError):
        return 0


def staleness(session: Session) -> Staleness | None:
    """None when the groups are current; else how many entries arrived since they were computed.

    Index reads only, whatever the corpus (the fingerprint's three, and a range of the item ids
    newer than the last run's, cut at WAITING_COUNTED): what a page may afford, where a full
    regrouping takes minutes at a national scale. A review change alone leaves `waiting` at 0.
    """
    row = session.execute(
        select(
            IdeaGroupingState.fingerprint,
            IdeaGroupingState.ran_at,
            IdeaGroupingState.encoder,
            IdeaGroupingState.full_at,
        ).where(IdeaGroupingState.id == _STATE_ID)
    ).first()
    fresh_meaning = row is None or _same_encoder(row.encoder, row.full_at)
    if row is not None and row.fingerprint == fingerprint(session) and fresh_meaning:
        return None
    newer = (
        select(FeedbackItem.id)
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(
            FeedbackItem.id > _last_item_id(row.fingerprint if row else None),
            Submission.status != ReviewStatus.SPAM,
        )
        .limit(WAITING_COUNTED + 1)
        .subquery()
    )
    waiting = session.scalar(select(func.count()).select_from(newer)) or 0
    # The state row exists from the first migration on, stamped "" until a first run.
    computed_at = row.ran_at if row is not None and row.fingerprint else None
    return Staleness(
        waiting=waiting,
        computed_at=computed_at,
        recomputing_meaning=not fresh_meaning,
    )


def refresh_for_export(session: Session, *, full_interval: float | None) -> bool:
    """Bring the groups as far up to date as an export may wait for; True when they changed.

    With `full_interval` (the background task's, REGROUP_FULL_INTERVAL_SECONDS), the task's
    placement of new items (`place_new`, seconds), and a full regrouping only when none ever
    ran: when the new items are too many to place (an import), the workbook reads the groups
    as they are (`staleness` says what they miss) and the full regrouping is the task's, which
    takes about 18 minutes at 4,000,000 items. Without it (no background regrouping), a stale
    grouping is recomputed in full, as the task would.
    """
    if full_interval is None:
        return regroup_if_stale(session)
    if not is_stale(session):
        session.rollback()
        return False
    placed = place_new(session)
    if placed is not _TOO_MANY:
        return placed is not None
    full_at = session.scalar(
        select(IdeaGroupingState.full_at).where(IdeaGroupingState.id == _STATE_ID)
    )
    session.rollback()
    if full_at is not None:
        return False
    return regroup(session, only_if_stale=True) is not None


def regroup_if_stale(session: Session, *, full_interval: float | None = None) -> bool:
    """Regroup when the data changed since the last run; True when it did.

    With `full_interval` (seconds; what the background task passes), the full regrouping runs
    only when the last one is at least that old: in between, the new items join the existing
    groups they are close to (`place_new`), and the full one is owed (`seconds_until_full`).
    Without it (no background interval configured), a stale grouping is recomputed in full.
    """
    if not is_stale(session):
        session.rollback()
        return False
    if full_interval is not None:
        wait = _wait_for_full(session, full_interval)
        session.rollback()
        if wait > 0:
            placed = place_new(session)
            if placed is not _TOO_MANY:
                return placed is not None
    # Only the background task (full_interval given) places items afterwards: it keeps the
    # centres; a web worker regrouping for an export does not hold them in memory.
    return regroup(session, only_if_stale=True, keep_centres=full_interval is not None) is not None


def _wait_for_full(session: Session, interval: float) -> float:
    """Seconds before a full regrouping may run again (0: now)."""
    full_at = session.scalar(
        select(IdeaGroupingState.full_at).where(IdeaGroupingState.id == _STATE_ID)
    )
    if full_at is None:
        return 0.0
    return max(0.0, interval - (utcnow() - full_at).total_seconds())


def seconds_until_full(session: Session, interval: float) -> float | None:
    """When the full regrouping owed since the last placement may run (seconds from now), or
    None when none is owed (the last run was a full one)."""
    row = session.execute(
        select(IdeaGroupingState.ran_at, IdeaGroupingState.full_at).where(
            IdeaGroupingState.id == _STATE_ID
        )
    ).first()
    session.rollback()
    if row is None or (row.full_at is not None and row.ran_at <= row.full_at):
        return None
    if row.full_at is None:
        return 0.0
    return max(0.0, interval - float((utcnow() - row.full_at).total_seconds()))


def regroup_if_owed(session: Session) -> bool:
    """The full regrouping owed since placements ran (or since the data changed); True when
    it ran. What the task scheduled by the placements runs."""
    if seconds_until_full(session, 0.0) is None and not is_stale(session):
        session.rollback()
        return False
    session.rollback()
    regroup(session, keep_centres=True)
    return True


def _load(session: Session, kind: ItemKind) -> list[_Item]:
    rows = session.execute(
        select(
            FeedbackItem.id,
            FeedbackItem.text,
            IdeaGroupMember.group_id,
            IdeaGroupMember.pinned,
            IdeaItemVector.vector,
        )
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .outerjoin(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .outerjoin(
            IdeaItemVector,
            (IdeaItemVector.item_id == FeedbackItem.id) & (IdeaItemVector.encoder == ENCODER),
        )
        .where(FeedbackItem.kind == kind, Submission.status != ReviewStatus.SPAM)
        .order_by(FeedbackItem.id)
    )
    return [_Item(r.id, r.text, r.group_id, bool(r.pinned), r.vector) for r in rows]


def _assign(
    items: Sequence[_Item],
    clusters: list[list[int]],
    group_kind: dict[int, ItemKind],
    kind: ItemKind,
) -> tuple[dict[int, int | None], list[list[int]]]:
    """Each unpinned item's group (None: alone) and the clusters that need a new group."""
    target: dict[int, int | None] = {}
    fresh: list[list[int]] = []
    claimed: set[int] = set()
    for members in sorted(clusters, key=len, reverse=True):
        free = [i for i in members if not items[i].pinned]
        if not free:
            continue
        pinned_votes = Counter(
            gid for i in members if items[i].pinned and (gid := items[i].group_id) is not None
        )
        previous_votes = Counter(
            gid
            for i in free
            if (gid := items[i].group_id) is not None
            and gid not in claimed
            and group_kind.get(gid) is kind
        )
        if pinned_votes:
            group: int | None = pinned_votes.most_common(1)[0][0]
        elif len(free) >= 2 and previous_votes:
            group = previous_votes.most_common(1)[0][0]
            claimed.add(group)
        else:
            group = None
        if group is not None:
            target.update((items[i].id, group) for i in free)
        elif len(free) >= 2:
            fresh.append(free)
        else:
            target[items[free[0]].id] = None
    return target, fresh


@overload
def regroup(
    session: Session,
    *,
    actor_id: int | None = ...,
    settings: Settings | None = ...,
    only_if_stale: Literal[False] = ...,
    keep_centres: bool = ...,
) -> RegroupResult: ...
@overload
def regroup(
    session: Session,
    *,
    actor_id: int | None = ...,
    settings: Settings | None = ...,
    only_if_stale: bool,
    keep_centres: bool = ...,
) -> RegroupResult | None: ...
def regroup(
    session: Session,
    *,
    actor_id: int | None = None,
    settings: Settings | None = None,
    only_if_stale: bool = False,
    keep_centres: bool = False,
) -> RegroupResult | None:
    """Recompute the automatic groups of every kind, respecting what people curated.

    Two regroupings never interleave: the state row is locked first (SQLite's write
    transaction serialises them anyway). With `only_if_stale`, a regrouping that finds the
    groups already current once it holds the lock (another one just ran) does nothing.
    Items without a sentence vector are encoded and stored first, in short transactions of
    their own (services/ideas/vectors.py); the grouping then reads every vector stored.
    With `keep_centres`, the groups' centres are kept in this process for the placement runs
    until the next full regrouping (`place_new`).
    """
    from feedback_app.services.ideas import clustering  # loaded on use (see the imports)

    fill_missing(session)
    with write_transaction(session):
        state = session.scalar(
            select(IdeaGroupingState).where(IdeaGroupingState.id == _STATE_ID).with_for_update()
        )
        stamp = fingerprint(session)
        if (
            only_if_stale
            and state is not None
            and state.fingerprint == stamp
            and _same_encoder(state.encoder, state.full_at)
        ):
            return None
        groups = {g.id: g for g in session.scalars(select(IdeaGroup))}
        group_kind = {gid: g.kind for gid, g in groups.items()}
        total = 0
        final: dict[int, tuple[int | None, bool]] = {}  # item id -> (group, pinned)
        scores: dict[int, float] = {}
        centres: dict[ItemKind, Assigner] = {}
        for kind in ItemKind:
            items = [
                i
                for i in _load(session, kind)
                if not (i.pinned and (i.group_id is None or group_kind.get(i.group_id) is not kind))
            ]
            total += len(items)
            vectors = clustering.vectorise(
                [i.text for i in items], from_blobs([i.vector for i in items]), settings
            )
            target, fresh = _assign(
                items, clustering.cluster_vectors(vectors, settings), group_kind, kind
            )
            for members in fresh:
                group = IdeaGroup(kind=kind, title=short_title(items[members[0]].text))
                session.add(group)
                session.flush()
                groups[group.id] = group
                group_kind[group.id] = kind
                target.update((items[i].id, group.id) for i in members)
            positions: dict[int, list[int]] = defaultdict(list)
            for position, item in enumerate(items):
                gid = item.group_id if item.pinned else target.get(item.id)
                if gid is not None:
                    final[item.id] = (gid, item.pinned)
                    positions[gid].append(position)
            for gid, members in positions.items():
                group = groups[gid]
                close = clustering.closeness(vectors, members)
                scores.update(zip((items[i].id for i in members), close.tolist(), strict=True))
                if not group.title_locked and len(members) > 1:
                    title = short_title(items[members[int(close.argmax())]].text)
                    if group.title != title:
                        group.title = title
            if keep_centres:
                # Built here from the vectors at hand (0.14–0.34 s a kind at 100,000 items)
                # rather than by the next placement run from the database. A group of one
                # that _write drops is left out (one kept by a person is not: see below).
                centres[kind] = clustering.assigner(
                    vectors,
                    {
                        gid: members
                        for gid, members in positions.items()
                        if len(members) > 1 or groups[gid].confirmed or groups[gid].title_locked
                    },
                    settings,
                )
        _write(session, groups, final, scores)
        tallies.refresh(session)
        kept = {gid for gid, _ in final.values() if gid is not None and gid in groups}
        result = RegroupResult(
            items=total,
            groups=len(kept),
            grouped_items=sum(1 for gid, _ in final.values() if gid in groups),
        )
        _stamp(session, stamp, result)
        audit.record(
            session,
            actor_id=actor_id,
            action="idea_groups.regroup",
            target_type="idea_groups",
            target_id=None,
            after={
                "items": result.items,
                "groups": result.groups,
                "grouped_items": result.grouped_items,
            },
        )
        made = session.get(IdeaGroupingState, _STATE_ID)
        ours = made.full_at if made is not None else None
    if keep_centres and ours is not None:
        again = session.get(IdeaGroupingState, _STATE_ID)  # read again after the commit
        # Another regrouping may have committed since: its groups are not these.
        if again is not None and again.full_at == ours:
            _keep_centres(_centres_key(session, again, settings), centres)
        session.rollback()
    return result


class _TooMany:
    """`place_new` declined: too many new items to place one by one."""


_TOO_MANY = _TooMany()
# More new items than this at once (an import) are grouped by a full regrouping instead:
# placing them one by one (about 10 ms each) would take longer and find fewer groups.
PLACE_AT_MOST = 2000


def _unplaced(
    session: Session, only: Collection[int] | None = None
) -> Select[int, str, ItemKind, bytes]:
    query = (
        select(FeedbackItem.id, FeedbackItem.text, FeedbackItem.kind, IdeaItemVector.vector)
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .outerjoin(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .outerjoin(
            IdeaItemVector,
            (IdeaItemVector.item_id == FeedbackItem.id) & (IdeaItemVector.encoder == ENCODER),
        )
        .where(IdeaGroupMember.item_id.is_(None), Submission.status != ReviewStatus.SPAM)
        .order_by(FeedbackItem.id)
    )
    if only is None:
        return query.where(IdeaItemVector.item_id.is_(None))
    return query.where(IdeaItemVector.item_id.is_(None) | FeedbackItem.id.in_(sorted(only)))


def place_new(
    session: Session, *, settings: Settings | None = None
) -> RegroupResult | _TooMany | None:
    """Put each item that arrived since the last run (no group, no sentence vector yet) into
    the existing group of its kind whose centre is closest, if close enough (clustering.Assigner,
    the same similarity as the grouping); else it stays alone until the next full regrouping.

    Nothing a person decided moves (only items without any membership row are placed), no
    group is created, dropped or renamed, so commitment links stay as they are; the groups
    that gained items are recounted (tallies) and the state is stamped as current, the full
    regrouping being owed (`seconds_until_full`). None when the groups were already current.
    Declined (as too many) before anything is encoded when the groups were computed with
    another encoder: encoding every item again is the full regrouping's work, never an
    export's, and the old centres are no place for new vectors.
    """
    if not meaning_is_current(session):
        session.rollback()
        return _TOO_MANY
    waiting = [row.id for row in session.execute(_unplaced(session).limit(PLACE_AT_MOST + 1))]
    session.rollback()
    if len(waiting) > PLACE_AT_MOST:
        return _TOO_MANY
    # Encoded outside the write transaction, in short ones of its own (vectors.py).
    fill_missing(session)
    with write_transaction(session):
        state = session.scalar(
            select(IdeaGroupingState).where(IdeaGroupingState.id == _STATE_ID).with_for_update()
        )
        stamp = fingerprint(session)
        if (
            state is None
            or state.full_at is None
            or not _same_encoder(state.encoder, state.full_at)
        ):
            return _TOO_MANY  # never grouped in full (with these vectors): nothing to place into
        if state.fingerprint == stamp:
            return None
        # Items that arrived while the others were encoded have no vector yet: encoded here.
        rows = list(session.execute(_unplaced(session, waiting)))
        late = [n for n, row in enumerate(rows) if row.vector is None]
        fresh = encode([rows[n].text for n in late])
        vectors_of: dict[int, np.ndarray] = {
            row.id: from_blobs([row.vector])[0] for row in rows if row.vector is not None
        }
        for n, vector in zip(late, fresh, strict=True):
            vectors_of[rows[n].id] = vector
        if late:
            session.execute(
                insert(IdeaItemVector),
                [
                    {"item_id": rows[n].id, "encoder": ENCODER, "vector": to_blob(vector)}
                    for n, vector in zip(late, fresh, strict=True)
                ],
            )
        placed: list[dict[str, Any]] = []
        for kind in ItemKind:
            of_kind = [row for row in rows if ItemKind(row.kind) is kind]
            if not of_kind:
                continue
            centres = _kept(session, state, kind, settings)
            for row in of_kind:
                group_id, _score, close = centres.place(row.text, vectors_of[row.id])
                if group_id is not None:
                    placed.append(
                        {
                            "item_id": row.id,
                            "group_id": group_id,
                            "pinned": False,
                            "closeness": close,
                        }
                    )
        if placed:
            # Kept centres may name a group dropped since (an item's kind changed, a merge
            # raced the key): never a membership of a group that is gone.
            alive = set(
                session.scalars(
                    select(IdeaGroup.id).where(IdeaGroup.id.in_({p["group_id"] for p in placed}))
                )
            )
            placed = [p for p in placed if p["group_id"] in alive]
        if placed:
            session.execute(insert(IdeaGroupMember), placed)
            tallies.refresh(session, {p["group_id"] for p in placed})
        state.fingerprint = stamp
        state.ran_at = utcnow()
        state.items = state.items + len(rows)
        return RegroupResult(items=len(rows), groups=state.groups, grouped_items=len(placed))


# The groups' centres per kind as the last full regrouping left them, kept by the process
# that placed items last (the background task's worker): rebuilding them at each placement run
# (read every grouped item's text and vector, fit the n-grams again) cost 2.2 s CPU at 100,000
# items, plus the reading (bench/grouping.py). One entry: the current grouping's.
_kept_centres: dict[tuple[Any, ...], dict[ItemKind, Assigner]] = {}


def _centres_key(
    session: Session, state: IdeaGroupingState, settings: Settings | None
) -> tuple[Any, ...]:
    """What the centres depend on: the database, the last full regrouping and the people's
    decisions since (a merge or split bumps `curations`)."""
    engine = session.get_bind().engine
    return (str(engine.url), id(engine), state.full_at, state.curations, settings)


def _keep_centres(key: tuple[Any, ...], centres: dict[ItemKind, Assigner]) -> None:
    if key not in _kept_centres:
        _kept_centres.clear()
    _kept_centres[key] = {**_kept_centres.get(key, {}), **centres}


def _kept(
    session: Session, state: IdeaGroupingState, kind: ItemKind, settings: Settings | None
) -> Assigner:
    """The centres of a kind's groups: kept since the last full regrouping, else rebuilt."""
    key = _centres_key(session, state, settings)
    centres = _kept_centres.get(key, {}).get(kind)
    if centres is None:
        centres = _centres(session, kind, settings)
        _keep_centres(key, {kind: centres})
    return centres


def _centres(session: Session, kind: ItemKind, settings: Settings | None) -> Assigner:
    """The centres of the existing groups of a kind, from their members outside spam."""
    from feedback_app.services.ideas import clustering  # loaded on use (see the imports)

    rows = session.execute(
        select(IdeaGroupMember.group_id, FeedbackItem.text, IdeaItemVector.vector)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .outerjoin(
            IdeaItemVector,
            (IdeaItemVector.item_id == FeedbackItem.id) & (IdeaItemVector.encoder == ENCODER),
        )
        .where(IdeaGroup.kind == kind, Submission.status != ReviewStatus.SPAM)
        .order_by(IdeaGroupMember.group_id, FeedbackItem.id)
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        members[row.group_id].append(position)
    vectors = clustering.vectorise(
        [row.text for row in rows], from_blobs([row.vector for row in rows]), settings
    )
    return clustering.assigner(vectors, members, settings)


def _write(
    session: Session,
    groups: dict[int, IdeaGroup],
    final: dict[int, tuple[int | None, bool]],
    scores: dict[int, float],
) -> None:
    """Store memberships; drop groups left empty (or alone, unless a person kept them). The
    commitments of a dropped group follow its items into their new groups."""
    sizes = Counter(gid for gid, _ in final.values() if gid is not None)
    named = set(session.scalars(select(IdeaGroupTitle.group_id).distinct()))
    dropped = {
        gid
        for gid, group in groups.items()
        if sizes.get(gid, 0) == 0
        or (sizes.get(gid, 0) == 1 and not (group.confirmed or group.title_locked or gid in named))
    }
    follow_regroup(session, dropped, lambda item_id: final.get(item_id, (None, False))[0])
    for gid in sorted(dropped):
        session.delete(groups.pop(gid))
    session.flush()
    session.execute(delete(IdeaGroupMember).where(IdeaGroupMember.pinned.is_(False)))
    # A pinned item whose kind a reviewer changed no longer belongs to its group.
    session.execute(
        delete(IdeaGroupMember).where(
            IdeaGroupMember.pinned.is_(True),
            exists().where(
                IdeaGroup.id == IdeaGroupMember.group_id,
                FeedbackItem.id == IdeaGroupMember.item_id,
                FeedbackItem.kind != IdeaGroup.kind,
            ),
        )
    )
    rows = [
        {
            "item_id": item_id,
            "group_id": gid,
            "pinned": False,
            "closeness": scores.get(item_id, 0.0),
        }
        for item_id, (gid, pinned) in final.items()
        if not pinned and gid in groups
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(IdeaGroupMember), rows[start : start + 5000])
    pinned_rows = [
        {"item_id": item_id, "closeness": scores.get(item_id, 0.0)}
        for item_id, (gid, pinned) in final.items()
        if pinned and gid in groups
    ]
    if pinned_rows:
        session.execute(update(IdeaGroupMember), pinned_rows)


def _stamp(session: Session, stamp: str, result: RegroupResult) -> None:
    state = session.get(IdeaGroupingState, _STATE_ID)
    if state is None:
        state = IdeaGroupingState(id=_STATE_ID, fingerprint=stamp)
        session.add(state)
    state.fingerprint = stamp
    state.encoder = ENCODER
    state.ran_at = state.full_at = utcnow()
    state.items = result.items
    state.groups = result.groups
