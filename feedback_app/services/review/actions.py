"""What the review desk changes on one submission: status, items, notes (bulk: review_bulk.py;
what may be set on an item: review_items.py).

Each function re-reads its records inside its own write transaction with the caller's `Scope`
in the WHERE clause: a record outside the scope raises NotFound, exactly like a missing one.
Nothing here can change a submission's region or stop or move an item to another submission.
Every change is audited (before/after, in the same transaction) and bumps the submission's
`updated_at`, which tells the cached Excel export that it is stale. A signed-off stop's
submissions are read-only for a delegate (services/review/signoff.py: SignedOff); kind and theme
changes move the live screen's counts (services/capture/tally.py) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, ItemKind, ReviewNote, ReviewStatus, Submission
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.capture import tally
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.permissions import Permission
from feedback_app.services.review.items import ItemReview, apply_item, item_errors
from feedback_app.services.text import clean_multiline, required_text
from feedback_app.services.tour.stop_lock import ensure_editable

MAX_NOTE = 4000
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one cannot exist (SQLite would overflow)


def parse_status(value: ReviewStatus | str) -> ReviewStatus:
    try:
        return ReviewStatus(value)
    except ValueError:
        raise ValidationFailed({"status": [_l("Statut inconnu.")]}) from None


def _editable_submission(session: Session, scope: Scope, submission_id: int) -> Submission:
    submission = session.scalar(
        select(Submission).where(Submission.id == submission_id, scope.filter(Submission.region_id))
    )
    if submission is None:
        raise NotFound(submission_id)
    ensure_editable(session, scope, [submission.stop_id])
    return submission


def set_status(
    session: Session,
    scope: Scope,
    submission_id: int,
    status: ReviewStatus | str,
    *,
    actor_id: int | None,
) -> bool:
    """Mark one submission new, reviewed or spam; False when it already was."""
    scope.ensure(Permission.REVIEW_WRITE)
    status = parse_status(status)
    return bool(
        save_review(session, scope, submission_id, status=status, items={}, actor_id=actor_id)
    )


def apply_status(
    session: Session,
    actor_id: int | None,
    submission: Submission,
    status: ReviewStatus,
    *,
    action: str = "submission.status",
    recount_groups: bool = True,
) -> bool:
    """Set the status with its audit row, in the caller's transaction; False if unchanged.

    Every change moves the stop's counts by status (still new, reviewed: tally.change_status).
    Spam is not counted: marking it, or taking it back, moves the stop's counts and recounts
    the idea groups of its items; a change between new and reviewed (only reviewed entries are
    quoted) moves their quote candidates (`idea_tallies.status_changed`). Unless
    `recount_groups` is False: the caller follows many submissions at once.
    """
    if submission.status is status:
        return False
    old = submission.status
    was, now = tally.counted_status(old), tally.counted_status(status)
    reviewed = ReviewStatus.REVIEWED in (old, status)
    # The other rows of a paper row's organisation decide whether a contribution moves.
    others = tally.other_rows_statuses(session, submission) if was != now or reviewed else set()
    changes = tally.Changes()
    if was != now:
        keys = [tally.item_key(i.kind, i.theme_id) for i in submission.items]
        own = not others - {ReviewStatus.SPAM}
        shortlisted = [i.kind for i in submission.items if i.shortlisted]
        if now:
            changes.add_submission(
                submission.stop_id, submission.category_code, keys, shortlisted, contribution=own
            )
        else:
            changes.remove_submission(
                submission.stop_id, submission.category_code, keys, shortlisted, contribution=own
            )
    changes.change_status(
        submission.stop_id,
        old,
        status,
        [i.kind for i in submission.items] if reviewed else (),
        reviewed_contribution=ReviewStatus.REVIEWED not in others,
    )
    tally.apply(session, changes)
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        target_type="submission",
        target_id=submission.id,
        region_id=submission.region_id,
        before={"status": submission.status},
        after={"status": status},
    )
    submission.status = status
    if recount_groups and idea_tallies.status_moves_groups(old, status):
        session.flush()
        idea_tallies.status_changed(session, submission, old)
    return True


def update_item(
    session: Session,
    scope: Scope,
    submission_id: int,
    item_id: int,
    *,
    kind: ItemKind | str,
    theme_id: int | None,
    shortlisted: bool,
    actor_id: int | None,
) -> list[str]:
    """Set an item's kind, theme and shortlist flag; return the names of what changed."""
    scope.ensure(Permission.REVIEW_WRITE)
    with write_transaction(session):
        found = session.execute(
            select(FeedbackItem, Submission)
            .join(Submission, FeedbackItem.submission_id == Submission.id)
            .where(
                FeedbackItem.id == item_id,
                Submission.id == submission_id,
                scope.filter(Submission.region_id),
            )
        ).first()
        if found is None:
            raise NotFound(item_id)
        item, submission = found
        ensure_editable(session, scope, [submission.stop_id])
        edit = ItemReview(kind, theme_id, shortlisted, item.priority)
        errors = item_errors(session, item, edit)
        if errors:
            raise ValidationFailed(errors)
        changed = apply_item(session, actor_id, item, submission, edit)
        if changed:
            submission.updated_at = utcnow()
    return changed


def save_review(
    session: Session,
    scope: Scope,
    submission_id: int,
    *,
    status: ReviewStatus | str,
    items: Mapping[int, ItemReview],
    note: str = "",
    actor_id: int | None,
) -> list[str]:
    """Save the whole submission page at once: its status, every item shown, a new note.

    All or nothing: any error (keyed "status", "items.<id>.<field>", "note") refuses the lot,
    so an edit is never half-saved nor silently dropped. One audit row per changed field.
    Returns what changed ("status", "items.<id>.<field>", "note"); empty when nothing did.
    """
    scope.ensure(Permission.REVIEW_WRITE)
    errors: dict[str, list[object]] = {}
    if status not in ReviewStatus.__members__.values():
        errors["status"] = [_l("Statut inconnu.")]
    note = clean_multiline(note or "")
    if len(note) > MAX_NOTE:
        errors["note"] = [_l("%(max)d caractères au plus.", max=MAX_NOTE)]
    with write_transaction(session):
        submission = _editable_submission(session, scope, submission_id)
        # A status-only save (set_status) needs no item: their relationship stays unloaded.
        by_id = {item.id: item for item in submission.items} if items else {}
        if not set(items) <= set(by_id):
            raise NotFound(sorted(set(items) - set(by_id)))
        for item_id, edit in items.items():
            errors.update(item_errors(session, by_id[item_id], edit, f"items.{item_id}."))
        if errors:
            raise ValidationFailed(errors)
        changed = [
            f"items.{item_id}.{name}"
            for item_id, edit in items.items()
            for name in apply_item(session, actor_id, by_id[item_id], submission, edit)
        ]
        if apply_status(session, actor_id, submission, ReviewStatus(status)):
            changed.insert(0, "status")
        if note:
            _add_note(session, actor_id, submission, note)
            changed.append("note")
        if changed:
            submission.updated_at = utcnow()
    return changed


def add_note(
    session: Session,
    scope: Scope,
    submission_id: int,
    text: str,
    *,
    actor_id: int | None,
) -> ReviewNote:
    """Add a private staff note to a submission of the scope."""
    scope.ensure(Permission.REVIEW_WRITE)
    text = required_text(text, "text", _l("Écrivez la note avant de l'enregistrer."), MAX_NOTE)
    with write_transaction(session):
        submission = _editable_submission(session, scope, submission_id)
        note = _add_note(session, actor_id, submission, text)
        submission.updated_at = utcnow()
    return note


def _add_note(
    session: Session, actor_id: int | None, submission: Submission, text: str
) -> ReviewNote:
    note = ReviewNote(submission_id=submission.id, author_id=actor_id, text=text)
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="note.create",
        target_type="submission",
        target_id=submission.id,
        region_id=submission.region_id,
        after={"note_id": note.id, "text": text},
    )
    return note
