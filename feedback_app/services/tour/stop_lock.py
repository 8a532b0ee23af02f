"""The lock a sign-off puts on a stop's review.

Once a stop is signed off (services/review/signoff.py), every review change to its submissions
(status, kind, theme, shortlist, notes, bulk actions, any later action that calls
`ensure_editable`, and idea group curation through `ensure_items_editable`) is refused to a
delegate with SignedOff until HQ reopens the stop; HQ keeps the hand. Submissions still arrive
(offline grace, API) and are flagged `after_signoff` (`is_signed`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import FeedbackItem, StopSignOff, Submission
from feedback_app.services.access import Scope
from feedback_app.services.errors import SignedOff
from feedback_app.services.permissions import Permission


def ensure_editable(session: Session, scope: Scope, stop_ids: Iterable[int]) -> None:
    """Raise SignedOff if a delegate would change a signed-off stop (HQ may always)."""
    if scope.can(Permission.REVIEW_SIGNED_OFF):
        return
    ids = sorted(set(stop_ids))
    if not ids:
        return
    signed = session.scalars(
        select(StopSignOff.stop_id).where(
            StopSignOff.stop_id.in_(ids), StopSignOff.signed_at.is_not(None)
        )
    ).all()
    if signed:
        raise SignedOff(sorted(signed))


def ensure_items_editable(session: Session, scope: Scope, item_ids: Iterable[int]) -> None:
    """The same rule for feedback items (idea group curation), through their submissions."""
    if scope.can(Permission.REVIEW_SIGNED_OFF):
        return
    ids = sorted(set(item_ids))
    stop_ids = (
        session.scalars(
            select(Submission.stop_id)
            .distinct()
            .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
            .where(FeedbackItem.id.in_(ids))
        ).all()
        if ids
        else []
    )
    ensure_editable(session, scope, stop_ids)


def is_signed(session: Session, stop_id: int) -> bool:
    """Whether a submission stored now at this stop arrives after its sign-off."""
    return (
        session.scalar(
            select(StopSignOff.signed_at.is_not(None)).where(StopSignOff.stop_id == stop_id)
        )
        or False
    )


# What the pages ask to disable, ahead of the refusal (controls greyed out, with the reason).


def locked_for(session: Session, scope: Scope, stop_id: int) -> bool:
    """Whether `ensure_editable` would refuse this reader this stop."""
    return not scope.is_everything and is_signed(session, stop_id)


def locked_stops(session: Session, scope: Scope, stop_ids: Iterable[int]) -> set[int]:
    """The stops among these whose submissions `ensure_editable` would refuse this reader."""
    ids = sorted(set(stop_ids))
    if scope.is_everything or not ids:
        return set()
    return set(
        session.scalars(
            select(StopSignOff.stop_id).where(
                StopSignOff.stop_id.in_(ids), StopSignOff.signed_at.is_not(None)
            )
        )
    )


def locked_items(session: Session, scope: Scope, item_ids: Iterable[int]) -> set[int]:
    """The items `ensure_items_editable` would refuse this reader."""
    ids = sorted(set(item_ids))
    if scope.is_everything or not ids:
        return set()
    return set(
        session.scalars(
            select(FeedbackItem.id)
            .join(Submission, Submission.id == FeedbackItem.submission_id)
            .join(StopSignOff, StopSignOff.stop_id == Submission.stop_id)
            .where(FeedbackItem.id.in_(ids), StopSignOff.signed_at.is_not(None))
        )
    )
