"""The groups closest in meaning to one group: what a curator may want to merge into it.

Each group's centre is the mean of its visible items' sentence vectors (services/ideas/vectors.py),
so a French group and its Arabic twin, which share no word, come first. Computed within the
reader's scope (a delegate's centres are made of their regions' items only; kept per region in
the tally rows, services/ideas/tallies.py) and only among the
groups the reader may see (services/ideas/queries.py), of the same kind (only those can merge).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import (
    GROUP_ID,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupTally,
    IdeaItemVector,
    ItemKind,
)
from feedback_app.services.access import Scope
from feedback_app.services.ideas.groups import meaning_is_current
from feedback_app.services.ideas.queries import (
    MIN_ITEMS,
    GroupSummary,
    group_summaries,
    group_summary,
    tallied_region,
    visible_memberships,
)
from feedback_app.services.ideas.tallies import centre_of
from feedback_app.services.ideas.vectors import DIMENSIONS, ENCODER, from_blobs

NEAREST = 5


@dataclass(frozen=True)
class Neighbour:
    summary: GroupSummary
    similarity: float  # cosine of the two groups' mean sentence vectors, -1..1


def nearest_groups(
    session: Session,
    scope: Scope,
    group_id: int,
    limit: int = NEAREST,
    *,
    summary: GroupSummary | None = None,
) -> list[Neighbour] | None:
    """The `limit` groups closest in meaning to `group_id` (NotFound outside the scope;
    `summary`: the group's, already read for this scope). None while the groups' meaning is
    recomputed after a release renamed the encoder (groups.meaning_is_current): the centres
    kept then are the old vectors', and counting them again from the members would find none
    of the new ones (1.7-2.0 s at 1,000,000 submissions, for an empty answer)."""
    target = summary if summary is not None else group_summary(session, scope, group_id)
    if not meaning_is_current(session):
        return None
    region = tallied_region(scope)
    if region is None:
        groups, centres = _counted_centres(session, scope, target.kind)
    else:
        groups, centres = _kept_centres(session, scope, region, target.kind)
    if not len(groups):
        return []
    lengths = np.linalg.norm(centres, axis=1)
    centres /= np.where(lengths > 0, lengths, 1.0)[:, None]
    mine = np.flatnonzero(groups == group_id)
    if not len(mine) or not lengths[mine[0]]:
        return []
    similarity = centres @ centres[mine[0]]
    similarity[mine[0]] = -np.inf
    similarity[lengths == 0] = -np.inf  # no item with a vector: no meaning to compare
    # More candidates than asked: some may have fewer than two visible items (not shown).
    order = np.argsort(-similarity, kind="stable")[: limit * 4]
    candidates = [int(groups[i]) for i in order if np.isfinite(similarity[i])]
    summaries = group_summaries(session, scope, candidates)
    closeness = {int(groups[i]): float(similarity[i]) for i in order}
    return [
        Neighbour(summaries[gid], round(closeness[gid], 3))
        for gid in candidates
        if gid in summaries
    ][:limit]


def _kept_centres(
    session: Session, scope: Scope, region: int, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """(group ids, centres) of the kind's groups the reader of one region (or of all) sees,
    from their tally rows: one row per group, not every vector of the kind (4 s for HQ at
    100,000 submissions). The rows not recounted since migration 0032 have none: those groups'
    centres are counted from their members."""
    rows = session.execute(
        select(IdeaGroupTally.group_id, IdeaGroupTally.centre)
        .where(
            IdeaGroupTally.region_id == region,
            IdeaGroupTally.kind == ItemKind(kind),
            IdeaGroupTally.items >= MIN_ITEMS,
        )
        .order_by(IdeaGroupTally.group_id)
    ).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), dtype=np.float32)
    groups = np.asarray([gid for gid, _centre in rows], dtype=np.int64)
    centres = np.zeros((len(rows), DIMENSIONS), dtype=np.float32)
    missing = []
    for row, (gid, centre) in enumerate(rows):
        if centre is None:
            missing.append(gid)
        else:
            centres[row] = centre_of(centre)
    if missing:
        counted_ids, counted = _counted_centres(session, scope, kind, missing)
        position = {int(gid): row for row, gid in enumerate(groups)}
        for gid, centre in zip(counted_ids, counted, strict=True):
            centres[position[int(gid)]] = centre
    return groups, centres


def _counted_centres(
    session: Session, scope: Scope, kind: str, group_ids: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(group ids, sums of their visible items' vectors) of the kind's groups (or of these),
    from every visible member's vector: for a reader of several regions, whom no tally row
    answers."""
    query = (
        select(GROUP_ID, IdeaItemVector.vector)
        .select_from(IdeaGroupMember)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(
            IdeaItemVector,
            (IdeaItemVector.item_id == IdeaGroupMember.item_id)
            & (IdeaItemVector.encoder == ENCODER),
        )
    )
    which = (
        IdeaGroupMember.group_id.is_not(None)
        if group_ids is None
        else IdeaGroupMember.group_id.in_(group_ids)
    )
    rows = session.execute(
        visible_memberships(query, scope, IdeaGroup.kind == ItemKind(kind), which).order_by(
            IdeaGroupMember.group_id
        )
    ).all()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), dtype=np.float32)
    ids = np.asarray([gid for gid, _blob in rows], dtype=np.int64)
    vectors = from_blobs([blob for _gid, blob in rows])
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    return ids[starts], np.add.reduceat(vectors, starts, axis=0)
