"""One submission as the review desk shows it, locked to the reader's regions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from feedback_app.models import FeedbackItem, ReviewNote, Submission
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class SubmissionDetail:
    submission: Submission
    items: list[FeedbackItem]
    notes: list[ReviewNote]
    contact: Contact | None  # None unless the person agreed to be contacted


def get_submission(session: Session, scope: Scope, submission_id: int) -> SubmissionDetail:
    """Everything about one submission of the scope; NotFound, as for a missing one, if outside."""
    submission = session.scalar(
        select(Submission)
        .options(
            selectinload(Submission.items).joinedload(FeedbackItem.theme),
            joinedload(Submission.stop),
            joinedload(Submission.region),
            joinedload(Submission.category),
        )
        .where(Submission.id == submission_id, scope.filter(Submission.region_id))
    )
    if submission is None:
        raise NotFound(submission_id)
    notes = session.scalars(
        select(ReviewNote)
        .options(joinedload(ReviewNote.author))
        .where(ReviewNote.submission_id == submission.id)
        .order_by(ReviewNote.created_at, ReviewNote.id)
    ).all()
    contact = None
    if submission.consent_contact:
        contact = Contact(submission.person_name, submission.email, submission.phone)
    return SubmissionDetail(submission, list(submission.items), list(notes), contact)
