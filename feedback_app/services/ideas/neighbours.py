"""The groups closest in meaning to one group: what a curator may want to merge into it.

Each group's centre is the mean of its visible items' sentence vectors (services/ideas/vectors.py),
so a French group and its Arabic twin, which share no word, come first. Computed within the
reader's scope (a delegate's centres are made of their regions' items only) and only among the
groups the reader may see (services/ideas/queries.py), of the same kind (only those can merge).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import GROUP_ID, IdeaGroup, IdeaGroupMember, IdeaItemVector
from feedback_app.services.access import Scope
from feedback_app.services.ideas.queries import (
    GroupSummary,
    group_summaries,
    group_summary,
    visible_memberships,
)
from feedback_app.services.ideas.vectors import ENCODER, from_blobs

NEAREST = 5


@dataclass(frozen=True)
class Neighbour:
    summary: GroupSummary
    similarity: float  # cosine of the two groups' mean sentence vectors, -1..1


def nearest_groups(
    session: Session, scope: Scope, group_id: int, limit: int = NEAREST
) -> list[Neighbour]:
    """The `limit` groups closest in meaning to `group_id` (NotFound outside the scope)."""
    target = group_summary(session, scope, group_id)
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
    rows = session.execute(
        visible_memberships(
            query, scope, IdeaGroup.kind == target.kind, IdeaGroupMember.group_id.is_not(None)
        ).order_by(IdeaGroupMember.group_id)
    ).all()
    if not rows:
        return []
    ids = np.asarray([gid for gid, _blob in rows], dtype=np.int64)
    vectors = from_blobs([blob for _gid, blob in rows])
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    groups = ids[starts]
    centres = np.add.reduceat(vectors, starts, axis=0)
    lengths = np.linalg.norm(centres, axis=1)
    centres /= np.where(lengths > 0, lengths, 1.0)[:, None]
    mine = np.flatnonzero(groups == group_id)
    if not len(mine):
        return []
    similarity = centres @ centres[mine[0]]
    similarity[mine[0]] = -np.inf
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
