"""Commitments in the staff outputs: the workbook's "Engagements" sheet and the region brief."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.exports.data import CommitmentRow
from feedback_app.locales import join_list
from feedback_app.models import Commitment
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.followup.commitments import (
    children_of,
    list_commitments,
    rolled_progress,
)
from feedback_app.services.followup.links import linked_groups, linked_items
from feedback_app.services.ideas.queries import group_summaries


def commitment_rows(
    session: Session, region_ids: Sequence[int], language: str
) -> tuple[CommitmentRow, ...]:
    """The commitments of these regions and the national ones: national first, then by region
    in the official order. Linked ideas read "n° 12 — title" (titles as the regions' readers
    see them), linked shortlisted entries "élément n° 40"."""
    regions = frozenset(region_ids)
    scope = Scope(user_id=None, region_ids=regions)
    found: dict[int, Commitment] = {}
    for region_id in sorted(regions):
        for commitment in list_commitments(session, EVERYTHING, region_id=region_id):
            found[commitment.id] = commitment
    if not regions:
        return ()
    commitments = sorted(
        found.values(),
        key=lambda c: (min((r.position for r in c.regions), default=-1), c.id),
    )
    ids = [c.id for c in commitments]
    groups, items, children = (
        linked_groups(session, ids),
        linked_items(session, ids),
        children_of(session, ids),
    )
    titles = group_summaries(
        session, scope, [g for gs in groups.values() for g in gs], language=language
    )
    rows = []
    for c in commitments:
        ideas = [f"n° {g} — {titles[g].title}" if g in titles else f"n° {g}" for g in groups[c.id]]
        ideas += [f"#{item_id}" for item_id in items[c.id]]
        rows.append(
            CommitmentRow(
                region=join_list((r.name_for(language) for r in c.regions), language),
                title=c.title_for(language),
                owner=c.owner,
                ideas=tuple(ideas),
                status=c.status.value,
                progress=rolled_progress(c, children[c.id]),
                last_reason=c.changes[-1].reason if c.changes else "",
            )
        )
    return tuple(rows)


def commitments_stamp(session: Session) -> str:
    """Changes whenever a commitment does (the cached workbook's fingerprint includes it)."""
    count, last = session.execute(
        select(func.count(Commitment.id), func.max(Commitment.updated_at))
    ).one()
    return f"{count}:{last.isoformat() if last else '-'}"
