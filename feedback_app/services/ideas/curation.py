"""What a person decides about idea groups: confirm, rename, merge, split.

Every decision pins the memberships it touches (models/idea_group.py), so later automatic
regroupings keep it, and is audited in the same transaction. Commitments linked to a group
follow its items through merges and splits (services/followup/links.py). A delegate acts on
the items of their own regions only: a group with no visible item is NotFound, and only
visible items are pinned or moved. A delegate's rename titles the group for their regions only
(whatever other regions' items it holds, now or after a regrouping); HQ's rename is the
national title (services/ideas/titles.py says who reads which). Every decision bumps the
curation counter, so every worker's cached titles are stale at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupStop,
    IdeaGroupTitle,
    Submission,
    TourStop,
)
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.followup.links import follow_merge, follow_split
from feedback_app.services.ideas import tallies
from feedback_app.services.ideas.queries import MIN_ITEMS, group_item_ids
from feedback_app.services.ideas.text import short_title
from feedback_app.services.ideas.titles import count_curation
from feedback_app.services.permissions import Permission
from feedback_app.services.text import INVISIBLE, clean_line, has_visible_text
from feedback_app.services.tour.stop_lock import ensure_items_editable, signed_stops

MAX_TITLE = 200


def _group(session: Session, scope: Scope, group_id: int) -> tuple[IdeaGroup, list[int]]:
    """The group and its visible item ids; NotFound when the scope sees none of it."""
    group = session.get(IdeaGroup, group_id) if 0 < group_id < 2**31 else None
    if group is None:
        raise NotFound(group_id)
    items = group_item_ids(session, scope, group_id)
    if not items:
        raise NotFound(group_id)
    # A delegate's groups are read-only once a stop they draw on is signed off.
    ensure_items_editable(session, scope, items)
    return group, items


def locked_groups(session: Session, scope: Scope, group_ids: Iterable[int]) -> set[int]:
    """The groups among these on which every decision (confirm, rename, merge, split) would be
    refused to this reader because a stop is signed off: what `_group` refuses (a visible item
    at a signed stop), for the pages to disable their controls beforehand.

    Read from the groups' items per stop (models IdeaGroupStop) for the few signed stops: the
    groups' own items are 100,000 and more at a million submissions (5 s, and past what one
    statement may carry), a signed stop's 50,000 (1 s)."""
    ids = sorted(set(group_ids))
    signed = signed_stops(session, scope) if ids else set()
    if not signed:
        return set()
    # Visible items only: the rows count items outside spam, at stops of the scope's regions
    # (a submission's region is its stop's).
    query = (
        select(IdeaGroupStop.group_id)
        .distinct()
        .join(TourStop, TourStop.id == IdeaGroupStop.stop_id)
        .where(
            IdeaGroupStop.stop_id.in_(sorted(signed)),
            IdeaGroupStop.group_id.in_(ids),
            IdeaGroupStop.items > 0,
            scope.filter(TourStop.region_id),
        )
    )
    return set(session.scalars(query))


def _pin(session: Session, item_ids: Iterable[int], group_id: int | None) -> None:
    for item_id in item_ids:
        member = session.get(IdeaGroupMember, item_id)
        if member is None:
            session.add(
                IdeaGroupMember(item_id=item_id, group_id=group_id, pinned=True, closeness=0.0)
            )
        else:
            member.group_id = group_id
            member.pinned = True


def _member_count(session: Session, group_id: int) -> int:
    """Every item of the group, whatever the scope."""
    query = select(func.count()).where(IdeaGroupMember.group_id == group_id)
    return session.execute(query).scalar_one()


def _audit(
    session: Session,
    group: IdeaGroup,
    action: str,
    actor_id: int | None,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object],
) -> None:
    """Every decision stamps the group (a cached workbook goes stale), counts as a curation
    (cached titles go stale in every worker) and is audited."""
    group.updated_at = utcnow()
    count_curation(session)
    audit.record(
        session,
        actor_id=actor_id,
        action=f"idea_group.{action}",
        target_type="idea_group",
        target_id=group.id,
        before=before,
        after=after,
    )


def confirm_group(session: Session, scope: Scope, group_id: int, *, actor_id: int | None) -> int:
    """Pin the visible items to their group; returns how many items it holds for the scope."""
    scope.ensure(Permission.IDEAS_CURATE)
    with write_transaction(session):
        group, items = _group(session, scope, group_id)
        _pin(session, items, group.id)
        group.confirmed = True
        _audit(session, group, "confirm", actor_id, after={"items": sorted(items)})
    return len(items)


def rename_group(
    session: Session, scope: Scope, group_id: int, title: str, *, actor_id: int | None
) -> None:
    """Give the group a title of a person's choosing, kept by every regrouping.

    HQ's is the national title. A delegate's titles the items of their regions in the group,
    one title per region holding some of them; other regions' readers never see it.
    """
    scope.ensure(Permission.IDEAS_CURATE)
    cleaned = clean_line(title or "")
    if not cleaned:
        raise ValidationFailed({"title": [_l("Donnez un titre.")]})
    if not has_visible_text(cleaned):
        raise ValidationFailed({"title": [INVISIBLE]})
    if len(cleaned) > MAX_TITLE:
        raise ValidationFailed({"title": [_l("%(max)d caractères au plus.", max=MAX_TITLE)]})
    with write_transaction(session):
        group, items = _group(session, scope, group_id)
        if scope.is_everything:
            before = group.title if group.title_locked else None
            group.title = cleaned
            group.title_locked = True
            _audit(
                session,
                group,
                "rename",
                actor_id,
                before={"title": before},
                after={"title": cleaned},
            )
            return
        regions = _regions_of(session, items)
        titles = {
            t.region_id: t
            for t in session.scalars(
                select(IdeaGroupTitle).where(
                    IdeaGroupTitle.group_id == group.id, IdeaGroupTitle.region_id.in_(regions)
                )
            )
        }
        before_titles = {str(r): t.title for r, t in titles.items()}
        for region_id in regions:
            if region_id in titles:
                titles[region_id].title = cleaned
            else:
                session.add(IdeaGroupTitle(group_id=group.id, region_id=region_id, title=cleaned))
        _audit(
            session,
            group,
            "rename",
            actor_id,
            before={"titles": before_titles},
            after={"titles": {str(r): cleaned for r in regions}},
        )


def _regions_of(session: Session, item_ids: list[int]) -> list[int]:
    query = (
        select(Submission.region_id)
        .distinct()
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .where(FeedbackItem.id.in_(item_ids))
        .order_by(Submission.region_id)
    )
    return list(session.scalars(query))


def merge_groups(
    session: Session,
    scope: Scope,
    target_id: int,
    other_ids: Iterable[int],
    *,
    actor_id: int | None,
) -> int:
    """Move the visible items of the other groups into the target; returns items moved."""
    scope.ensure(Permission.IDEAS_CURATE)
    others = sorted({i for i in other_ids if i != target_id})
    if not others:
        raise ValidationFailed({"groups": [_l("Choisissez au moins un autre groupe.")]})
    with write_transaction(session):
        target, target_items = _group(session, scope, target_id)
        moved: list[int] = []
        for other_id in others:
            other, items = _group(session, scope, other_id)
            if other.kind is not target.kind:
                raise ValidationFailed(
                    {"groups": [_l("Seuls des groupes du même type peuvent être fusionnés.")]}
                )
            moved.extend(items)
        moved.sort()
        _pin(session, [*target_items, *moved], target.id)
        session.flush()
        # Commitments answering a merged-away group follow its items into the target.
        follow_merge(session, target.id, others)
        for other_id in others:
            if not _member_count(session, other_id):
                session.delete(session.get(IdeaGroup, other_id))
        session.flush()
        tallies.refresh(session, [target.id, *others])
        target.confirmed = True
        _audit(
            session, target, "merge", actor_id, before={"groups": others}, after={"items": moved}
        )
    return len(moved)


def split_group(
    session: Session,
    scope: Scope,
    group_id: int,
    item_ids: Iterable[int],
    *,
    actor_id: int | None,
) -> int | None:
    """Take the chosen items out into a new group (or alone, for one item).

    Returns the new group's id, or None when the item now stands alone. Both sides are pinned,
    so the regrouper does not put them back together.
    """
    scope.ensure(Permission.IDEAS_CURATE)
    chosen = sorted(set(item_ids))
    with write_transaction(session):
        group, items = _group(session, scope, group_id)
        if not chosen or not set(chosen) <= set(items):
            raise ValidationFailed({"items": [_l("Choisissez des entrées de ce groupe.")]})
        if len(chosen) == len(items):
            raise ValidationFailed({"items": [_l("Laissez au moins une entrée dans le groupe.")]})
        new_id: int | None = None
        if len(chosen) >= MIN_ITEMS:
            new = IdeaGroup(kind=group.kind, title=_first_text(session, chosen), confirmed=True)
            session.add(new)
            session.flush()
            new_id = new.id
            follow_split(session, group.id, new_id)
        _pin(session, chosen, new_id)
        _pin(session, [i for i in items if i not in chosen], group.id)
        session.flush()
        tallies.refresh(session, [group.id] if new_id is None else [group.id, new_id])
        group.confirmed = True
        _audit(session, group, "split", actor_id, after={"items": chosen, "new_group": new_id})
    return new_id


def _first_text(session: Session, item_ids: list[int]) -> str:
    text = session.scalar(select(FeedbackItem.text).where(FeedbackItem.id == item_ids[0])) or ""
    return short_title(text)
