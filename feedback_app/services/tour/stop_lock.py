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


def _keeps_the_hand(scope: Scope) -> bool:
    """HQ may change a signed-off stop; nobody else may (the one rule for refusals and pages)."""
    return scope.can(Permission.REVIEW_SIGNED_OFF)


def locked_stops(session: Session, scope: Scope, stop_ids: Iterable[int]) -> set[int]:
    """The stops among these whose submissions this reader may not change: signed off."""
    ids = sorted(set(stop_ids))
    if _keeps_the_hand(scope) or not ids:
        return set()
    return set(
        session.scalars(
            select(StopSignOff.stop_id).where(
                StopSignOff.stop_id.in_(ids), StopSignOff.signed_at.is_not(None)
            )
        )
    )


def ensure_editable(session: Session, scope: Scope, stop_ids: Iterable[int]) -> None:
    """Raise SignedOff if a delegate would change a signed-off stop (HQ may always)."""
    signed = locked_stops(session, scope, stop_ids)
    if signed:
        raise SignedOff(sorted(signed))


def signed_stops(session: Session, scope: Scope) -> set[int]:
    """Every stop this reader may not change (signed off): none for HQ. A handful of rows,
    whatever the number of submissions: the readers below ask about these stops only."""
    if _keeps_the_hand(scope):
        return set()
    return set(
        session.scalars(select(StopSignOff.stop_id).where(StopSignOff.signed_at.is_not(None)))
    )


# Items asked about per statement: a group's page holds up to 100,000 entries at a million
# submissions, beyond what one statement may carry (65,535 parameters on PostgreSQL).
_ITEMS_PER_READ = 10_000


def _locked_item_stops(session: Session, scope: Scope, item_ids: Iterable[int]) -> dict[int, int]:
    """Item id -> stop id, for the items among these that this reader may not change."""
    ids = sorted(set(item_ids))
    signed = signed_stops(session, scope) if ids else set()
    if not signed:
        return {}
    found: dict[int, int] = {}
    for start in range(0, len(ids), _ITEMS_PER_READ):
        rows = session.execute(
            select(FeedbackItem.id, Submission.stop_id)
            .join(Submission, Submission.id == FeedbackItem.submission_id)
            .where(
                FeedbackItem.id.in_(ids[start : start + _ITEMS_PER_READ]),
                Submission.stop_id.in_(sorted(signed)),
            )
        )
        found.update((item_id, stop_id) for item_id, stop_id in rows)
    return found


def ensure_items_editable(session: Session, scope: Scope, item_ids: Iterable[int]) -> None:
    """The same rule for feedback items (idea group curation), through their submissions."""
    signed = _locked_item_stops(session, scope, item_ids)
    if signed:
        raise SignedOff(sorted(set(signed.values())))


def is_signed(session: Session, stop_id: int) -> bool:
    """Whether a submission stored now at this stop arrives after its sign-off."""
    return (
        session.scalar(
            select(StopSignOff.signed_at.is_not(None)).where(StopSignOff.stop_id == stop_id)
        )
        or False
    )


# What the pages ask to disable, ahead of the refusal (controls greyed out, with the reason):
# the same functions the refusals above are made of.


def locked_for(session: Session, scope: Scope, stop_id: int) -> bool:
    """Whether `ensure_editable` would refuse this reader this stop."""
    return bool(locked_stops(session, scope, [stop_id]))


def locked_items(session: Session, scope: Scope, item_ids: Iterable[int]) -> set[int]:
    """The items `ensure_items_editable` would refuse this reader."""
    return set(_locked_item_stops(session, scope, item_ids))
