"""Storing a submission exactly once, whatever the network does, and an intake batch's rows."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    CompoundSelect,
    String,
    Table,
    bindparam,
    exists,
    false,
    insert,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    Category,
    FeedbackItem,
    ItemKind,
    Priority,
    Region,
    ReviewStatus,
    StopSignOff,
    StopStatus,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
    paper_key,
)
from feedback_app.models.search import search_document
from feedback_app.models.types import as_utc, utcnow
from feedback_app.services.capture import tally
from feedback_app.services.capture.validation import (
    SUBMISSION_COLUMNS,
    CleanSubmission,
    parse_client_id,
    parse_filled_at,
    validate_submission,
)
from feedback_app.services.codes import (
    is_receipt_reference,
    normalise_typed_code,
    receipt_reference,
)
from feedback_app.services.errors import ClientIdTaken, NotFound, StopNotOpen
from feedback_app.services.tour.stop_lock import is_signed

_REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class Receipt:
    id: int
    reference: str
    created: bool  # False when the client_id had already been stored

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "reference": self.reference}


def submit(
    session: Session,
    stop_code: str,
    raw: Any,
    *,
    source: SubmissionSource,
    default_language: str = "fr",
    received_at: dt.datetime | None = None,
    refuse_unconsented_contact: bool = False,
) -> Receipt:
    """Validate and store one submission and its items in a single transaction.

    A `client_id` already stored for this stop returns that submission's receipt, so a double
    tap, a refresh or a retry after a lost answer never stores twice; stored for another stop,
    it raises ClientIdTaken (the other stop's receipt is not this poster's to see). A stop that
    is not open refuses with StopNotOpen, except a submission filled (per its `filled_at`)
    while the stop was still open that arrives within the stop's grace period after closing:
    it is stored, flagged `late`.
    Raises NotFound, StopNotOpen, ClientIdTaken or ValidationFailed. `refuse_unconsented_contact`:
    see validate_submission.
    """
    client_id = parse_client_id(raw.get("client_id")) if isinstance(raw, dict) else None
    stop, existing = _stop_and_replay(session, stop_code, client_id)
    if existing is not None:
        return existing
    now = received_at or utcnow()
    late = stop.status is not StopStatus.OPEN
    if late:
        filled_at = parse_filled_at(raw.get("filled_at")) if isinstance(raw, dict) else None
        if not accepts_late(stop, filled_at, now):
            raise StopNotOpen(stop.status.value)

    categories, themes, theme_ids = _choices(session)
    clean = validate_submission(
        raw,
        categories=categories,
        themes=themes,
        default_language=default_language,
        refuse_unconsented_contact=refuse_unconsented_contact,
    )
    for _attempt in range(_REFERENCE_ATTEMPTS):
        try:
            return _store(session, stop, clean, source, theme_ids, received_at, late=late)
        except IntegrityError:
            # Either another request stored the same client_id first, or (rarely) the random
            # reference collided; the former is an answer, the latter is worth another try.
            existing = _find_receipt(session, clean.client_id, stop.id)
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a unique receipt reference")


class _Stop(NamedTuple):
    """What storing a submission needs to know about its stop (one row, no ORM object)."""

    id: int
    region_id: int
    region_code: str
    status: StopStatus
    closed_at: dt.datetime | None
    grace_hours: int | None


def _stop_and_replay(
    session: Session, stop_code: str, client_id: uuid.UUID | None
) -> tuple[_Stop, Receipt | None]:
    """The stop, and the receipt of its submission with this client_id if one is stored.

    One statement for both: the stored submission is outer-joined on its client_id alone, so a
    client_id stored at another stop comes back too (and is refused, ClientIdTaken).
    """
    row = session.execute(
        _STOP_AND_REPLAY, {"code": normalise_typed_code(stop_code), "client_id": client_id}
    ).first()
    if row is None:
        raise NotFound(stop_code)
    stop = _Stop(*row[:6])
    if row.replay_id is None:
        return stop, None
    if row.replay_stop_id != stop.id:
        raise ClientIdTaken()
    return stop, Receipt(id=row.replay_id, reference=row.replay_reference, created=False)


def _choices(session: Session) -> tuple[list[str], list[str], dict[str, int]]:
    """Category codes, the codes of the themes still offered, and every theme's id by code."""
    rows = session.execute(_CHOICES).all()
    categories = [code for what, code, _id, _retired in rows if what == "category"]
    themes = [code for what, code, _id, retired in rows if what == "theme" and not retired]
    theme_ids = {code: id_ for what, code, id_, _retired in rows if id_ is not None}
    return categories, themes, theme_ids


# Built once: building a statement costs more Python than running it on SQLite. A NULL
# client_id (none sent, or not a UUID) matches no stored submission.
_STOP_AND_REPLAY = (
    select(
        TourStop.id,
        TourStop.region_id,
        Region.code,
        TourStop.status,
        TourStop.closed_at,
        TourStop.grace_hours,
        Submission.id.label("replay_id"),
        Submission.reference.label("replay_reference"),
        Submission.stop_id.label("replay_stop_id"),
    )
    .join(Region, Region.id == TourStop.region_id)
    .outerjoin(Submission, Submission.client_id == bindparam("client_id"))
    .where(TourStop.code == bindparam("code"))
)
_CHOICES: CompoundSelect[str, str, int | None, bool] = union_all(
    select(literal("theme", String), Theme.code, Theme.id, Theme.retired),
    select(literal("category", String), Category.code, null(), false()),
)


def _store(
    session: Session,
    stop: _Stop,
    clean: CleanSubmission,
    source: SubmissionSource,
    theme_ids: dict[str, int],
    received_at: dt.datetime | None,
    *,
    late: bool = False,
) -> Receipt:
    """Three statements in one write transaction: the submission, its items, the stop's counts.

    Core inserts, not ORM objects: the unit of work cost more than everything else in the
    request (bench/submit_ratio.py, README "Benchmarks"), and nothing here reads the rows back.
    No replay lookup inside: the unique client_id answers a concurrent twin with an
    IntegrityError, which `submit` turns into that twin's receipt.
    """
    stop_id, region_id, region_code = stop.id, stop.region_id, stop.region_code
    now = utcnow()
    reference = receipt_reference(region_code)
    values: dict[str, Any] = {
        "region_id": region_id,
        "stop_id": stop_id,
        "client_id": clean.client_id,
        "reference": reference,
        **{column: getattr(clean, field) for column, field in SUBMISSION_COLUMNS.items()},
        "source": source,
        "status": ReviewStatus.NEW,
        "created_at": received_at or now,
        "updated_at": now,
        # A device clock running fast must not date an answer in the future.
        "filled_at": min(clean.filled_at, received_at or now) if clean.filled_at else None,
        "late": late,
        "search_text": search_document(
            clean.organisation, reference, (item.text for item in clean.items)
        ),
        "signoff_stop_id": stop_id,
    }
    with write_transaction(session):
        submission_id = session.execute(_INSERT_SUBMISSION, values).scalar_one()
        session.execute(
            _INSERT_ITEM,
            [
                {
                    "submission_id": submission_id,
                    "position": position,
                    "kind": item.kind,
                    "text": item.text,
                    "theme_id": theme_ids.get(item.theme) if item.theme else None,
                    "priority": item.priority,
                    "shortlisted": False,
                }
                for position, item in enumerate(clean.items)
            ],
        )
        # Last, so that the tally rows are locked (PostgreSQL) only until the commit that follows.
        tally.apply(
            session,
            tally.Changes().store(
                stop_id,
                clean.category,
                [
                    tally.item_key(item.kind, theme_ids.get(item.theme) if item.theme else None)
                    for item in clean.items
                ],
            ),
        )
    return Receipt(id=submission_id, reference=reference, created=True)


_SUBMISSIONS = cast(Table, Submission.__table__)
# after_signoff is decided by the INSERT itself, so that a sign-off committed a moment earlier
# is seen, and no separate query is spent on it.
_INSERT_SUBMISSION = (
    insert(_SUBMISSIONS)
    .values(
        after_signoff=exists().where(
            StopSignOff.stop_id == bindparam("signoff_stop_id"),
            StopSignOff.signed_at.is_not(None),
        )
    )
    .returning(_SUBMISSIONS.c.id)
)
# Plain executemany, one statement for every item (the ORM sends one INSERT ... RETURNING each).
_INSERT_ITEM = insert(cast(Table, FeedbackItem.__table__))


def store_imported(
    session: Session, rows: list[dict[str, Any]], stop: TourStop, batch_id: int
) -> None:
    """Store the valid rows of an intake batch, in the caller's write transaction.

    Bulk inserts (submissions, then their items): 5,000 rows in one transaction, without
    building an ORM object per row. The search text is folded here, as the model's listener
    does for a single submission. A row's `clean` values are keyed like CleanSubmission.
    """
    if not rows:
        return
    theme_ids = {code: id_ for code, id_ in session.execute(select(Theme.code, Theme.id))}
    region_code, now = stop.region.code, utcnow()
    after_signoff = is_signed(session, stop.id)  # HQ importing into a signed stop: flagged
    submissions = []
    for row in rows:
        clean, reference = row["clean"], receipt_reference(region_code)
        submissions.append(
            {
                "region_id": stop.region_id,
                "stop_id": stop.id,
                "client_id": uuid.uuid4(),
                "reference": reference,
                **{column: clean[field] for column, field in SUBMISSION_COLUMNS.items()},
                "source": SubmissionSource.IMPORT,
                "status": ReviewStatus.NEW,
                "late": False,
                "after_signoff": after_signoff,
                "created_at": now,
                "updated_at": now,
                "import_batch_id": batch_id,
                "fingerprint": row["fingerprint"],
                "paper_key": paper_key(stop.id, clean["organisation"], clean["category"]),
                "search_text": search_document(clean["organisation"], reference, [clean["text"]]),
            }
        )
    # One contribution per organisation at the stop (models/contribution.py): counted by its
    # first counted row, held by its first row of any status, in this file or an earlier one;
    # read before these rows are stored.
    tally.lock_paper_rows(session, stop.id)
    statuses = tally.paper_key_statuses(session, (s["paper_key"] for s in submissions))
    held = set(statuses)
    counted = {key for key, found in statuses.items() if found - {ReviewStatus.SPAM}}
    # Plain executemany (no RETURNING): measured 20 times faster here than the ORM's bulk
    # insert with RETURNING, which splices its result batches row by row.
    session.execute(insert(cast(Table, Submission.__table__)), submissions)
    ids = {
        fingerprint: id_
        for fingerprint, id_ in session.execute(
            select(Submission.fingerprint, Submission.id).where(
                Submission.import_batch_id == batch_id
            )
        )
    }
    session.execute(
        insert(cast(Table, FeedbackItem.__table__)),
        [
            {
                "submission_id": ids[row["fingerprint"]],
                "position": 0,
                "kind": ItemKind(row["clean"]["kind"]),
                "text": row["clean"]["text"],
                "theme_id": theme_ids.get(row["clean"]["theme"]) if row["clean"]["theme"] else None,
                "priority": Priority(row["clean"]["priority"])
                if row["clean"]["priority"]
                else None,
                "shortlisted": False,
            }
            for row in rows
        ],
    )
    changes = tally.Changes()
    for row, stored in zip(rows, submissions, strict=True):
        theme = theme_ids.get(row["clean"]["theme"]) if row["clean"]["theme"] else None
        key = stored["paper_key"]
        changes.store(
            stop.id,
            row["clean"]["category"],
            [tally.item_key(row["clean"]["kind"], theme)],
            contribution=key not in counted,
            held=key not in held,
        )
        counted.add(key)
        held.add(key)
    tally.apply(session, changes)


def accepts_late(stop: TourStop | _Stop, filled_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A closed stop still takes what was filled before it closed, until its grace runs out.

    `filled_at` is the device's word, so a stop closed without a recorded time, or a grace of
    zero hours, takes nothing late; the window bounds what a wrong or forged clock can do.
    """
    if stop.status is not StopStatus.CLOSED or stop.closed_at is None or filled_at is None:
        return False
    closed_at = stop.closed_at
    deadline = closed_at + dt.timedelta(hours=max(stop.grace_hours or 0, 0))
    return filled_at <= closed_at and as_utc(now) <= deadline


def _find_receipt(session: Session, client_id: Any, stop_id: int) -> Receipt | None:
    row = session.execute(
        select(Submission.id, Submission.reference, Submission.stop_id).where(
            Submission.client_id == client_id
        )
    ).first()
    if row is None:
        return None
    if row.stop_id != stop_id:
        raise ClientIdTaken()
    return Receipt(id=row.id, reference=row.reference, created=False)


def find_receipt_for_stop(session: Session, stop: TourStop, reference: str) -> str | None:
    """The reference, if it belongs to this stop (the thank-you page shows nothing else)."""
    if not is_receipt_reference(reference):
        return None  # PostgreSQL would refuse a NUL in the query, SQLite would not
    return session.scalar(
        select(Submission.reference).where(
            Submission.stop_id == stop.id, Submission.reference == reference.upper()
        )
    )
