"""Personal data of respondents (law 09-08): retention purge, and finding and erasing on request.

Contact details are the person's name, job title, e-mail, phone and their consent to be
contacted (a job title in a small organisation identifies its holder); what they wrote
(organisation, items) is the feedback itself and stays. The audit trail
records that an erasure happened and which fields it cleared, never the values.

Pending import previews (`import_batches.rows`, a row's `clean` values) hold the same details
until someone confirms them: they are searched and erased alike, and the purge deletes the
previews nobody confirmed within a day (services/intake/batches.py: expire_previews).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from feedback_app.database import rowcount, write_transaction
from feedback_app.models import ImportBatch, ImportStatus, Submission
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.export.store import forget_contact_artifacts
from feedback_app.services.followup.notices import forget_submissions
from feedback_app.services.intake.batches import expire_previews
from feedback_app.services.text import clean_line, contains_pattern

MIN_QUERY_LENGTH = 3
MAX_MATCHES = 100


def _has_contact() -> ColumnElement[bool]:
    return or_(
        Submission.person_name.is_not(None),
        Submission.job_title.is_not(None),
        Submission.email.is_not(None),
        Submission.phone.is_not(None),
        Submission.consent_contact.is_(True),
    )


_ERASED = {
    "person_name": None,
    "job_title": None,
    "email": None,
    "phone": None,
    "consent_contact": False,
}


def retention_cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    return (now or utcnow()) - dt.timedelta(days=days)


def purge_expired_contacts(
    session: Session,
    *,
    retention_days: int,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Erase the contact details of submissions older than the retention period.

    Returns how many submissions had (dry run: have) contact details to erase.
    """
    cutoff = retention_cutoff(retention_days, now)
    expired = and_(Submission.created_at < cutoff, _has_contact())
    if dry_run:
        return session.scalar(select(func.count()).select_from(Submission).where(expired)) or 0
    with write_transaction(session):
        # Run daily: previews nobody confirmed go even when no other file is uploaded.
        previews = expire_previews(session, now)
        result = session.execute(
            update(Submission)
            .where(expired)
            .values(**_ERASED)
            .execution_options(synchronize_session=False)
        )
        count = rowcount(result)
        if count:
            # Stored workbooks may still carry the erased details: gone in the same commit.
            forget_contact_artifacts(session)
            audit.record(
                session,
                actor_id=None,
                action="privacy.purge",
                target_type="submission",
                target_id=None,
                after={
                    "submissions": count,
                    "retention_days": retention_days,
                    "before": cutoff.date(),
                    "previews": previews,
                },
            )
    return count


@dataclass(frozen=True)
class ContactMatch:
    submission_id: int
    reference: str
    created_at: dt.datetime
    region: str
    city: str
    organisation: str
    name: str | None
    email: str | None
    phone: str | None


def _phone_variants(query: str) -> list[str]:
    """The typed number as stored (E.164, Moroccan numbers by default), if it parses."""
    try:
        number = phonenumbers.parse(query, "MA")
    except phonenumbers.NumberParseException:
        return []
    return [phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)]


def find_contacts(session: Session, query: str, *, locale: str = "fr") -> list[ContactMatch]:
    """Submissions whose name or e-mail contains `query`, or whose phone is that number."""
    query = clean_line(query or "")
    if len(query) < MIN_QUERY_LENGTH:
        raise ValidationFailed(
            {"query": [_l("Au moins %(min)d caractères.", min=MIN_QUERY_LENGTH)]}
        )
    pattern = contains_pattern(query)
    conditions = [
        Submission.person_name.ilike(pattern, escape="\\"),
        Submission.email.ilike(pattern, escape="\\"),
    ]
    phones = _phone_variants(query)
    if phones:
        conditions.append(Submission.phone.in_(phones))
    rows = session.scalars(
        select(Submission)
        .options(joinedload(Submission.region), joinedload(Submission.stop))
        .where(or_(*conditions))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(MAX_MATCHES)
    ).all()
    return [
        ContactMatch(
            submission_id=s.id,
            reference=s.reference,
            created_at=s.created_at,
            region=s.region.name_for(locale),
            city=s.stop.city,
            organisation=s.organisation,
            name=s.person_name,
            email=s.email,
            phone=s.phone,
        )
        for s in rows
    ]


def erase_contacts(session: Session, *, submission_ids: Sequence[int], actor_id: int) -> int:
    """Erase the contact details of these submissions, on the person's request. Audited."""
    ids = sorted({int(i) for i in submission_ids})
    if not ids:
        raise ValidationFailed({"submissions": [_l("Choisissez au moins une contribution.")]})
    with write_transaction(session):
        rows = session.scalars(select(Submission).where(Submission.id.in_(ids))).all()
        erased = 0
        for submission in rows:
            cleared = [c for c in _ERASED if getattr(submission, c) not in (None, False)]
            if not cleared:
                continue
            for column, value in _ERASED.items():
                setattr(submission, column, value)
            erased += 1
            # Which fields were cleared, never their values.
            audit.record(
                session,
                actor_id=actor_id,
                action="privacy.erase",
                target_type="submission",
                target_id=submission.id,
                region_id=submission.region_id,
                before={"fields": cleared},
                after={"erased": True},
            )
        # Unsent follow-up mails to these people are dropped in the same commit.
        forget_submissions(session, ids)
        if erased:
            # Stored workbooks may still carry the erased details: gone in the same commit.
            forget_contact_artifacts(session)
    return erased


# The keys of a preview row's `clean` values that identify a person, and their erased value.
_PREVIEW_ERASED = {
    "name": None,
    "job_title": None,
    "email": None,
    "phone": None,
    "consent_contact": False,
}
_PREVIEW_FIELDS = {
    "name": "person_name",
    "job_title": "job_title",
    "email": "email",
    "phone": "phone",
    "consent_contact": "consent_contact",
}


@dataclass(frozen=True)
class PreviewMatch:
    batch_id: int
    row: int  # the row number in the uploaded file
    created_at: dt.datetime
    region: str
    city: str
    organisation: str
    name: str | None
    email: str | None
    phone: str | None

    @property
    def key(self) -> str:
        return f"{self.batch_id}:{self.row}"


def _pending_batches(session: Session) -> Sequence[ImportBatch]:
    # Few: a preview lives a day at most (expire_previews), so they are read whole.
    return session.scalars(
        select(ImportBatch)
        .options(joinedload(ImportBatch.stop))
        .where(ImportBatch.status == ImportStatus.PENDING)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    ).all()


def find_preview_contacts(
    session: Session, query: str, *, locale: str = "fr"
) -> list[PreviewMatch]:
    """Rows of pending previews whose name or e-mail contains `query`, or phone is that number."""
    query = clean_line(query or "")
    if len(query) < MIN_QUERY_LENGTH:
        raise ValidationFailed(
            {"query": [_l("Au moins %(min)d caractères.", min=MIN_QUERY_LENGTH)]}
        )
    folded, phones = query.casefold(), set(_phone_variants(query))
    matches: list[PreviewMatch] = []
    for batch in _pending_batches(session):
        for row in batch.rows:
            clean = row.get("clean") or {}
            name, email, phone = clean.get("name"), clean.get("email"), clean.get("phone")
            if any(value and folded in str(value).casefold() for value in (name, email)) or (
                phone and phone in phones
            ):
                matches.append(
                    PreviewMatch(
                        batch_id=batch.id,
                        row=int(row["row"]),
                        created_at=batch.created_at,
                        region=batch.stop.region.name_for(locale),
                        city=batch.stop.city,
                        organisation=str(row.get("organisation", "")),
                        name=name,
                        email=email,
                        phone=phone,
                    )
                )
    return matches[:MAX_MATCHES]


def parse_preview_key(value: str) -> tuple[int, int] | None:
    """ "<batch id>:<row>" as the privacy page posts it; None when it is not one."""
    batch, _sep, row = value.partition(":")
    if not (batch.isdigit() and row.isdigit()) or len(batch) > 9 or len(row) > 9:
        return None
    return int(batch), int(row)


def erase_preview_contacts(
    session: Session, *, rows: Sequence[tuple[int, int]], actor_id: int
) -> int:
    """Erase the contact details of these rows of pending previews. Audited, like submissions."""
    chosen: dict[int, set[int]] = {}
    for batch_id, row_number in rows:
        chosen.setdefault(batch_id, set()).add(row_number)
    erased = 0
    with write_transaction(session):
        batches = session.scalars(
            select(ImportBatch).where(
                ImportBatch.id.in_(sorted(chosen)), ImportBatch.status == ImportStatus.PENDING
            )
        ).all()
        for batch in batches:
            new_rows, cleared_rows = [], []
            for row in batch.rows:
                clean: dict[str, Any] = row.get("clean") or {}
                cleared = [
                    _PREVIEW_FIELDS[k]
                    for k in _PREVIEW_ERASED
                    if clean.get(k) not in (None, False, "")
                ]
                if row.get("row") in chosen[batch.id] and cleared:
                    row = {**row, "clean": {**clean, **_PREVIEW_ERASED}}
                    cleared_rows.append({"row": row["row"], "fields": cleared})
                new_rows.append(row)
            if not cleared_rows:
                continue
            batch.rows = new_rows  # a new list: the JSON column sees the change
            erased += len(cleared_rows)
            audit.record(
                session,
                actor_id=actor_id,
                action="privacy.erase_preview",
                target_type="import_batch",
                target_id=batch.id,
                region_id=batch.region_id,
                before={"rows": cleared_rows},
                after={"erased": True},
            )
    return erased
