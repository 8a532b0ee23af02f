"""What the review desk sets on one item: kind, theme, shortlist flag and priority.

Shared by services/review/actions.py (one submission) and services/review/bulk.py (many): the
checks, the one audit row per changed field, and the live screen's counts moved in the same
transaction. The item's text and submission never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import FeedbackItem, ItemKind, Priority, ReviewStatus, Submission, Theme
from feedback_app.services import audit
from feedback_app.services.capture import tally
from feedback_app.services.errors import ValidationFailed


@dataclass(frozen=True)
class ItemReview:
    """What the review desk sets on one item (its text and submission never change)."""

    kind: ItemKind | str
    theme_id: int | None
    shortlisted: bool
    priority: Priority | str | None = None


def item_errors(
    session: Session, item: FeedbackItem, edit: ItemReview, prefix: str = ""
) -> dict[str, list[object]]:
    errors: dict[str, list[object]] = {}
    if edit.kind not in ItemKind.__members__.values():
        errors[f"{prefix}kind"] = [_l("Type inconnu.")]
    if edit.priority is not None and edit.priority not in Priority.__members__.values():
        errors[f"{prefix}priority"] = [_l("Priorité inconnue.")]
    try:
        check_theme(session, edit.theme_id, keeping=item.theme_id)
    except ValidationFailed as failure:
        errors[f"{prefix}theme"] = failure.errors["theme"]
    return errors


def apply_item(
    session: Session,
    actor_id: int | None,
    item: FeedbackItem,
    submission: Submission,
    edit: ItemReview,
) -> list[str]:
    """Set what differs, one audit row per changed field; the names of what changed.

    A new kind, theme or shortlisting moves the item in the stop's counts (a new kind also among
    the reviewed items when the submission is reviewed), in the same transaction.
    """
    old_key, old_kind, was_shortlisted = (
        tally.item_key(item.kind, item.theme_id),
        item.kind,
        item.shortlisted,
    )
    kind = ItemKind(edit.kind)
    priority = Priority(edit.priority) if edit.priority else None
    changed: list[str] = []

    def record(name: str, action: str, before: object, after: object) -> None:
        record_item(session, actor_id, action, item, submission, {name: before}, {name: after})
        changed.append(name)

    if item.kind is not kind:
        record("kind", "item.kind", item.kind, kind)
        item.kind = kind
    if item.theme_id != edit.theme_id:
        before, after = theme_code(session, item.theme_id), theme_code(session, edit.theme_id)
        record("theme", "item.theme", before, after)
        item.theme_id = edit.theme_id
    if item.shortlisted != edit.shortlisted:
        record("shortlisted", "item.shortlist", item.shortlisted, edit.shortlisted)
        item.shortlisted = edit.shortlisted
    if item.priority is not priority:
        record("priority", "item.priority", item.priority, priority)
        item.priority = priority
    counted = tally.counted_status(submission.status)
    if counted and {"kind", "theme", "shortlisted"} & set(changed):
        changes = tally.Changes().move_item(
            submission.stop_id, old_key, tally.item_key(item.kind, item.theme_id)
        )
        if was_shortlisted:
            changes.shortlist(submission.stop_id, old_kind, -1)
        if item.shortlisted:
            changes.shortlist(submission.stop_id, item.kind, +1)
        if submission.status is ReviewStatus.REVIEWED:
            changes.move_reviewed_item(submission.stop_id, old_kind, item.kind)
        tally.apply(session, changes)
    return changed


def record_item(
    session: Session,
    actor_id: int | None,
    action: str,
    item: FeedbackItem,
    submission: Submission,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        target_type="item",
        target_id=item.id,
        region_id=submission.region_id,
        before={**before, "submission_id": submission.id},
        after={**after, "submission_id": submission.id},
    )


def theme_code(session: Session, theme_id: int | None) -> str | None:
    return session.scalar(select(Theme.code).where(Theme.id == theme_id)) if theme_id else None


def check_theme(session: Session, theme_id: int | None, *, keeping: int | None = None) -> None:
    """A theme may be set if it is offered; a retired one only stays where it already is."""
    if theme_id is None:
        return
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise ValidationFailed({"theme": [_l("Thème inconnu.")]})
    if theme.retired and theme_id != keeping:
        raise ValidationFailed({"theme": [_l("Ce thème n'est plus proposé.")]})
