"""Which idea groups and entries a commitment answers.

A group is linked by its id. When people merge groups, the commitments of the merged-away
groups follow into the surviving one; when they split a group, the commitments of the group
also answer the new one (services/ideas/curation.py calls these in its own transaction). When
the automatic regrouping deletes a group (its items all went elsewhere), its commitments
follow its items into the group(s) now holding them (services/ideas/groups.py, same
transaction); a group whose items joined no group leaves nothing to follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Column, delete, insert, select
from sqlalchemy.orm import Session

from feedback_app.models import GROUP_ID, IdeaGroupMember, commitment_groups, commitment_items


def _linked(
    session: Session, column: Column[int], commitment_ids: Iterable[int]
) -> dict[int, list[int]]:
    """commitment id -> the ids in `column` of its link table (in id order)."""
    ids = list(commitment_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    commitment = column.table.c.commitment_id
    rows = session.execute(select(commitment, column).where(commitment.in_(ids)).order_by(column))
    for commitment_id, linked_id in rows:
        found[commitment_id].append(linked_id)
    return found


def linked_groups(session: Session, commitment_ids: Iterable[int]) -> dict[int, list[int]]:
    """commitment id -> linked group ids (in id order)."""
    return _linked(session, commitment_groups.c.group_id, commitment_ids)


def linked_items(session: Session, commitment_ids: Iterable[int]) -> dict[int, list[int]]:
    """commitment id -> linked entry ids (in id order)."""
    return _linked(session, commitment_items.c.item_id, commitment_ids)


def set_links(
    session: Session, commitment_id: int, group_ids: Iterable[int], item_ids: Iterable[int]
) -> None:
    """Replace the commitment's links (inside the caller's transaction)."""
    session.execute(
        delete(commitment_groups).where(commitment_groups.c.commitment_id == commitment_id)
    )
    session.execute(
        delete(commitment_items).where(commitment_items.c.commitment_id == commitment_id)
    )
    groups = sorted(set(group_ids))
    items = sorted(set(item_ids))
    if groups:
        session.execute(
            insert(commitment_groups),
            [{"commitment_id": commitment_id, "group_id": g} for g in groups],
        )
    if items:
        session.execute(
            insert(commitment_items),
            [{"commitment_id": commitment_id, "item_id": i} for i in items],
        )


def _commitments_of(session: Session, group_ids: Iterable[int]) -> set[int]:
    ids = list(group_ids)
    if not ids:
        return set()
    query = select(commitment_groups.c.commitment_id).where(commitment_groups.c.group_id.in_(ids))
    return set(session.scalars(query))


def _link_all(session: Session, commitment_ids: set[int], group_id: int) -> None:
    already = set(
        session.scalars(
            select(commitment_groups.c.commitment_id).where(
                commitment_groups.c.group_id == group_id
            )
        )
    )
    missing = sorted(commitment_ids - already)
    if missing:
        session.execute(
            insert(commitment_groups),
            [{"commitment_id": c, "group_id": group_id} for c in missing],
        )


def follow_merge(session: Session, target_id: int, merged_ids: Iterable[int]) -> list[int]:
    """The commitments of the merged groups now answer the target too (before the merged
    groups are deleted, which drops their own links). Returns the commitments concerned."""
    concerned = _commitments_of(session, merged_ids)
    _link_all(session, concerned, target_id)
    return sorted(concerned)


def follow_split(session: Session, group_id: int, new_group_id: int) -> list[int]:
    """The commitments of a split group answer both halves."""
    concerned = _commitments_of(session, [group_id])
    _link_all(session, concerned, new_group_id)
    return sorted(concerned)


def follow_regroup(
    session: Session, dropped: Iterable[int], new_group_of: Callable[[int], int | None]
) -> list[int]:
    """The regrouping is about to delete the `dropped` groups (their memberships are still
    the old ones): the commitments of each follow its items into the groups they go to
    (`new_group_of(item id)`), before the deletion drops their own links. Returns the
    commitments concerned."""
    gone = set(dropped)
    # Linked groups are few: start from them, not from the (possibly thousands of) dropped.
    linked = gone & set(session.scalars(select(commitment_groups.c.group_id).distinct()))
    moved: dict[int, set[int]] = {gid: set() for gid in linked}
    if linked:
        rows = session.execute(
            select(IdeaGroupMember.item_id, GROUP_ID).where(
                IdeaGroupMember.group_id.in_(sorted(linked))
            )
        )
        for item_id, old_id in rows:
            new_id = new_group_of(item_id)
            if new_id is not None and new_id not in gone:
                moved[old_id].add(new_id)
    concerned: set[int] = set()
    for old_id, new_ids in sorted(moved.items()):
        commitments = _commitments_of(session, [old_id])
        for new_id in sorted(new_ids):
            _link_all(session, commitments, new_id)
        if new_ids:
            concerned |= commitments
    return sorted(concerned)
