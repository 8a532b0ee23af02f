"""The item rows of the workbook, streamed; and the fingerprint that says a cached one is stale.

Rows come from one ordered query read in chunks (`yield_per`: a server-side cursor on
PostgreSQL), so memory stays flat whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator

from sqlalchemy import ColumnElement, String, case, func, literal, null, select, type_coerce
from sqlalchemy.orm import Session

from feedback_app.exports.data import ItemRow
from feedback_app.locales import local_day, localised
from feedback_app.models import (
    FeedbackItem,
    IdeaGroupMember,
    Region,
    ReviewStatus,
    StopSignOff,
    Submission,
    Theme,
    TourStop,
)
from feedback_app.services.followup.outputs import commitments_stamp
from feedback_app.services.synthesis.figures import Selection
from feedback_app.services.synthesis.ideas import stamp as idea_stamp
from feedback_app.services.synthesis.ideas import visible_groups

CHUNK = 2000


def _value(x: object) -> str:
    """An enum's code, or the code itself."""
    return str(getattr(x, "value", x))


def contact_columns(include_contacts: bool) -> list[ColumnElement[str | None]]:
    """Name, job title, e-mail and phone, each only where the respondent consented to contact;
    four empty columns when contacts are not asked for (or not allowed)."""
    if not include_contacts:
        return [literal(None)] * 4
    consent = Submission.consent_contact.is_(True)
    return [
        case((consent, column), else_=null())
        for column in (
            Submission.person_name,
            Submission.job_title,
            Submission.email,
            Submission.phone,
        )
    ]


def stream_items(
    session: Session, sel: Selection, *, include_contacts: bool = True, chunk: int = CHUNK
) -> Iterator[ItemRow]:
    """Every counted item of the selection, region by region in the official order.

    Contact columns are filled only when the respondent consented (and `include_contacts`).
    An item's group number is given only for groups with two items or more in the selection.
    """
    groups = visible_groups(session, sel)
    contacts = contact_columns(include_contacts)
    stmt = (
        select(
            Region.slug,
            Submission.created_at,
            TourStop.city,
            Submission.organisation,
            Submission.category_code,
            # Codes as stored: no enum member made per row and turned back into its code.
            type_coerce(FeedbackItem.kind, String),
            FeedbackItem.theme_id,
            FeedbackItem.text,
            type_coerce(FeedbackItem.priority, String),
            type_coerce(Submission.status, String),
            FeedbackItem.shortlisted,
            Submission.reference,
            *contacts,
            IdeaGroupMember.group_id,
            type_coerce(Submission.source, String),
        )
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .outerjoin(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .join(TourStop, TourStop.id == Submission.stop_id)
        .join(Region, Region.id == Submission.region_id)
        .where(*sel.submission_conditions())
        .order_by(
            Region.position,
            TourStop.date,
            Submission.created_at,
            Submission.id,
            FeedbackItem.position,
            FeedbackItem.id,
        )
    )
    days: dict[object, dt.date] = {}
    # Core rows in chunks from a server-side cursor (PostgreSQL), in the session's transaction
    # (its snapshot): the ORM adds nothing to plain columns but time per row.
    result = session.connection().execute(stmt.execution_options(yield_per=chunk))
    for row in result:
        created = row[1]
        day = days.get(created)
        if day is None:
            day = local_day(created, sel.tz)
            if len(days) > 10_000:  # timestamps are nearly unique: keep the memo small
                days.clear()
            days[created] = day
        group = row[16]
        yield ItemRow(
            row[0],
            day,
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            bool(row[10]),
            row[11],
            row[12],
            row[13],
            row[14],
            row[15],
            group if group in groups else None,
            row[17],
        )


def fingerprint(session: Session, sel: Selection) -> str:
    """Changes whenever a submission, an item or a label the workbook shows changes.

    Reviews bump Submission.updated_at; the item sums also catch a shortlist or theme change
    made without it, and the labels (themes, stops) are hashed whole: they are small tables.
    """
    conditions = sel.submission_conditions(any_status=True)
    subs = session.execute(
        select(
            func.count(),
            func.max(Submission.id),
            func.max(Submission.updated_at),
            func.sum(case((Submission.status == ReviewStatus.SPAM, Submission.id), else_=0)),
            func.sum(case((Submission.status == ReviewStatus.REVIEWED, Submission.id), else_=0)),
        ).where(*conditions)
    ).one()
    items = session.execute(
        select(
            func.count(),
            func.max(FeedbackItem.id),
            func.sum(case((FeedbackItem.shortlisted.is_(True), FeedbackItem.id), else_=0)),
            func.sum(func.coalesce(FeedbackItem.theme_id, 0) * (FeedbackItem.id % 9973)),
            func.count(FeedbackItem.priority),
        )
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(*conditions)
    ).one()
    themes = session.execute(
        select(
            Theme.id,
            Theme.code,
            *(getattr(Theme, name) for name in localised("name")),
            Theme.position,
        ).order_by(Theme.id)  # reordering themes changes the workbook
    ).all()
    stops = session.execute(
        select(TourStop.id, TourStop.city, TourStop.date, TourStop.status)
        .where(TourStop.region_id.in_(sel.region_ids))
        .order_by(TourStop.id)
    ).all()
    # The brief sheets and the summary show each stop's sign-off and the delegate's summary.
    signoffs = session.execute(
        select(
            StopSignOff.stop_id,
            StopSignOff.signed_at,
            StopSignOff.signed_by_id,
            StopSignOff.updated_at,
        )
        .where(StopSignOff.region_id.in_(sel.region_ids))
        .order_by(StopSignOff.stop_id)
    ).all()
    payload = json.dumps(
        [
            list(subs),
            list(items),
            [list(t) for t in themes],
            [list(s) for s in stops],
            [list(s) for s in signoffs],
            idea_stamp(session),
            commitments_stamp(session),
        ],
        default=lambda v: str(_value(v)),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def estimate_items(session: Session, sel: Selection) -> int:
    """How many rows the region sheets will hold (one COUNT), to decide on a background job."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FeedbackItem)
            .join(Submission, FeedbackItem.submission_id == Submission.id)
            .where(*sel.submission_conditions())
        )
        or 0
    )
