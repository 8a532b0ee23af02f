"""Mails to the professionals whose ideas a commitment answers, when its status changes.

Invariants:
- Only submissions that are reviewed, whose author consented to contact and left an address,
  with an entry in a linked idea group or linked directly, get a notice row.
- One row per change and submission (unique): the idempotency key of the send. A row goes
  pending -> sending (committed before the SMTP exchange) -> sent. A worker killed mid-send
  leaves it "sending": the redelivered task sends it again under the same Message-ID (derived
  from the row), so the relay and mail clients see one message; a row already sent is never
  sent again.
- At most one follow-up mail per person (keyed hash of the folded address) per day in
  Morocco: claiming a mail inserts (person, day), which only one claim can do; the others are
  "capped" (the mail they would have carried points to the same follow-up page).
- The address is read from the submission when sending, never copied: an erasure or a purge
  (which clears it) or an unsubscribe drops the notice at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    Commitment,
    CommitmentNotice,
    FeedbackItem,
    IdeaGroupMember,
    MailDay,
    NoticeState,
    ReviewStatus,
    StatusChange,
    Submission,
    Unsubscribed,
    commitment_groups,
    commitment_items,
)


def person_key(secret: str | bytes, email: str) -> str:
    """The stored key of a person: a keyed hash of their folded address (never the address)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, email.strip().casefold().encode(), hashlib.sha256).hexdigest()


def queue_notices(session: Session, change: StatusChange) -> int:
    """One pending notice per submission concerned (inside the caller's transaction)."""
    commitment_id = change.commitment_id
    grouped = (
        select(FeedbackItem.submission_id)
        .join(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .join(commitment_groups, commitment_groups.c.group_id == IdeaGroupMember.group_id)
        .where(commitment_groups.c.commitment_id == commitment_id)
    )
    linked = (
        select(FeedbackItem.submission_id)
        .join(commitment_items, commitment_items.c.item_id == FeedbackItem.id)
        .where(commitment_items.c.commitment_id == commitment_id)
    )
    submissions = session.scalars(
        select(Submission.id)
        .where(
            or_(Submission.id.in_(grouped), Submission.id.in_(linked)),
            Submission.status == ReviewStatus.REVIEWED,
            Submission.consent_contact.is_(True),
            Submission.email.is_not(None),
        )
        .order_by(Submission.id)
    ).all()
    session.add_all(
        CommitmentNotice(change_id=change.id, submission_id=s, state=NoticeState.PENDING)
        for s in submissions
    )
    return len(submissions)


def open_notices(session: Session, change_id: int) -> list[int]:
    """The change's notices still to send (pending, or claimed by a worker that died)."""
    return list(
        session.scalars(
            select(CommitmentNotice.id)
            .where(
                CommitmentNotice.change_id == change_id,
                CommitmentNotice.state.in_([NoticeState.PENDING, NoticeState.SENDING]),
            )
            .order_by(CommitmentNotice.id)
        )
    )


@dataclass(frozen=True)
class Claim:
    """A notice to send now, with what the mail says."""

    notice_id: int
    email: str
    person: str
    language: str
    reference: str
    commitment_id: int
    title: str
    status: str
    progress: int
    reason: str


def claim(session: Session, notice_id: int, *, secret: str | bytes, today: dt.date) -> Claim | None:
    """Take the notice for sending, or settle it (capped, dropped); None: nothing to send."""
    try:
        with write_transaction(session):
            notice = session.scalar(
                select(CommitmentNotice).where(CommitmentNotice.id == notice_id).with_for_update()
            )
            if notice is None or notice.state not in (NoticeState.PENDING, NoticeState.SENDING):
                return None
            submission = session.get(Submission, notice.submission_id)
            if submission is None or not submission.email or not submission.consent_contact:
                notice.state = NoticeState.DROPPED
                return None
            person = person_key(secret, submission.email)
            notice.person = person
            if session.get(Unsubscribed, person) is not None:
                notice.state = NoticeState.DROPPED
                return None
            if notice.state is NoticeState.PENDING:
                if session.get(MailDay, (person, today)) is not None:
                    notice.state = NoticeState.CAPPED
                    return None
                session.add(MailDay(person=person, day=today))
                notice.state, notice.sent_on = NoticeState.SENDING, today
            change = session.get(StatusChange, notice.change_id)
            assert change is not None
            commitment = session.get(Commitment, change.commitment_id)
            assert commitment is not None
            language = submission.language or "fr"
            found = Claim(
                notice_id=notice.id,
                email=submission.email,
                person=person,
                language=language,
                reference=submission.reference,
                commitment_id=commitment.id,
                title=commitment.title_for(language),
                status=change.status.value,
                progress=change.progress,
                reason=change.reason,
            )
    except IntegrityError:
        # Another worker took this person's mail of the day (or this very notice) meanwhile:
        # nothing of ours was written; its rerun settles this notice.
        return None
    return found


def mark_sent(session: Session, notice_id: int) -> None:
    with write_transaction(session):
        session.execute(
            update(CommitmentNotice)
            .where(CommitmentNotice.id == notice_id)
            .values(state=NoticeState.SENT)
        )


def unsubscribe(session: Session, person: str) -> None:
    """No more follow-up mail for this person (idempotent)."""
    with write_transaction(session):
        if session.get(Unsubscribed, person) is None:
            session.add(Unsubscribed(person=person))
        session.execute(
            update(CommitmentNotice)
            .where(
                CommitmentNotice.person == person,
                CommitmentNotice.state == NoticeState.PENDING,
            )
            .values(state=NoticeState.DROPPED)
        )


def forget_submissions(session: Session, submission_ids: Iterable[int]) -> None:
    """Drop the unsent notices of these submissions (inside the caller's transaction: an
    erasure takes the person off every notification list in its own commit)."""
    ids = list(submission_ids)
    if ids:
        session.execute(
            update(CommitmentNotice)
            .where(
                CommitmentNotice.submission_id.in_(ids),
                CommitmentNotice.state.in_([NoticeState.PENDING, NoticeState.SENDING]),
            )
            .values(state=NoticeState.DROPPED)
        )
