"""Bulk actions of the review list: one status, or one theme, for many records at once.

Same rules as services/review/actions.py: records re-read in the write transaction with the
caller's scope, everything outside it is NotFound, a signed-off stop is read-only for a
delegate, one audit row per change in the same transaction, and theme changes move the live
screen's counts.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, ReviewStatus, Submission, Theme
from feedback_app.models.types import utcnow
from feedback_app.services.access import Scope
from feedback_app.services.capture import tally
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.permissions import Permission
from feedback_app.services.review.actions import MAX_ID, apply_status, parse_status
from feedback_app.services.review.items import check_theme, record_item, theme_code
from feedback_app.services.tour.stop_lock import ensure_editable

MAX_BULK = 500  # ten pages of the list at once


def _ids(values: Iterable[int], field: str) -> list[int]:
    ids = sorted(set(values))
    if len(ids) > MAX_BULK:
        raise ValidationFailed({field: [_l("%(max)d entrées au plus à la fois.", max=MAX_BULK)]})
    if ids and not (ids[0] > 0 and ids[-1] <= MAX_ID):
        raise NotFound(ids)
    return ids


def bulk_set_status(
    session: Session,
    scope: Scope,
    submission_ids: Iterable[int],
    status: ReviewStatus | str,
    *,
    actor_id: int | None,
) -> int:
    """Give every selected submission the status; all must be in the scope. Returns changes."""
    scope.ensure(Permission.REVIEW_WRITE)
    status = parse_status(status)
    ids = _ids(submission_ids, "submission_ids")
    if not ids:
        raise ValidationFailed({"submission_ids": [_l("Cochez au moins une contribution.")]})
    changed = 0
    with write_transaction(session):
        # Their items at once: a change into or out of "reviewed" or spam moves their counts.
        submissions = session.scalars(
            select(Submission)
            .options(selectinload(Submission.items))
            .where(Submission.id.in_(ids), scope.filter(Submission.region_id))
        ).all()
        if len(submissions) != len(ids):
            raise NotFound(ids)
        ensure_editable(session, scope, {submission.stop_id for submission in submissions})
        now = utcnow()
        for submission in submissions:
            # Each followed in the groups' tallies before the next: they move by difference,
            # each from the counts the one before left (services/ideas/tallies.py).
            if apply_status(session, actor_id, submission, status, action="submission.bulk_status"):
                submission.updated_at = now
                changed += 1
    return changed


def bulk_set_theme(
    session: Session,
    scope: Scope,
    *,
    submission_ids: Iterable[int],
    item_ids: Iterable[int],
    theme_id: int,
    actor_id: int | None,
) -> int:
    """Set a theme on the chosen items, or, when none is chosen, on every item of the chosen
    submissions. Everything chosen must be in the scope. Returns the number of items changed.
    """
    scope.ensure(Permission.REVIEW_WRITE)
    sub_ids = _ids(submission_ids, "submission_ids")
    chosen = _ids(item_ids, "item_ids")
    if not sub_ids and not chosen:
        raise ValidationFailed({"submission_ids": [_l("Cochez au moins une contribution.")]})
    changed = 0
    with write_transaction(session):
        check_theme(session, theme_id)
        code = theme_code(session, theme_id)
        query = (
            select(FeedbackItem, Submission)
            .join(Submission, FeedbackItem.submission_id == Submission.id)
            .where(scope.filter(Submission.region_id))
        )
        if chosen:
            rows = session.execute(query.where(FeedbackItem.id.in_(chosen))).all()
            if len(rows) != len(chosen):
                raise NotFound(chosen)
        else:
            rows = session.execute(query.where(Submission.id.in_(sub_ids))).all()
            if len({submission.id for _item, submission in rows}) != len(sub_ids):
                raise NotFound(sub_ids)
        ensure_editable(session, scope, {submission.stop_id for _item, submission in rows})
        codes = dict(session.execute(select(Theme.id, Theme.code)).all())
        now = utcnow()
        moves = tally.Changes()
        for item, submission in rows:
            if item.theme_id == theme_id:
                continue
            record_item(
                session,
                actor_id,
                "item.bulk_theme",
                item,
                submission,
                {"theme": codes.get(item.theme_id) if item.theme_id else None},
                {"theme": code},
            )
            if tally.counted_status(submission.status):
                moves.move_item(
                    submission.stop_id,
                    tally.item_key(item.kind, item.theme_id),
                    tally.item_key(item.kind, theme_id),
                )
            item.theme_id = theme_id
            submission.updated_at = now
            changed += 1
        tally.apply(session, moves)
    return changed
