"""Managing the tour's stops: listing with live counts, editing, opening and closing.

Every function takes the caller's `Scope`: a stop outside it is reported as NotFound, exactly
like a stop that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from feedback_app.database import write_transaction
from feedback_app.models import (
    Region,
    StopSignOff,
    StopStatus,
    StopTally,
    Submission,
    TourStop,
)
from feedback_app.models.tally import HELD, NEW, NO_THEME
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.permissions import Permission
from feedback_app.services.text import check_visible, clean_line
from feedback_app.services.tour.stops import (
    clean_localised_names,
    create_stop,
    scoped_stop,
    stop_snapshot,
)

MAX_GRACE_HOURS = 24 * 14


@dataclass(frozen=True)
class StopRow:
    stop: TourStop
    submissions: int
    new: int
    signed: bool = False  # the delegate signed it off: their review and imports are locked


def list_stops(
    session: Session,
    scope: Scope,
    *,
    region_slug: str | None = None,
    status: StopStatus | None = None,
) -> list[StopRow]:
    """Stops in the scope, newest date first, with their contributions (paper rows of one
    organisation counting once, spam included) and the submissions still new: both from the
    stops' running counts (services/capture/tally.py), two primary-key reads per stop, where a
    GROUP BY over every submission of the scope took seconds at 1,000,000."""
    held, still_new = aliased(StopTally), aliased(StopTally)
    signed = StopSignOff.signed_at.is_not(None)
    query = (
        select(TourStop, held.count, still_new.count, signed)
        .outerjoin(
            held, and_(held.stop_id == TourStop.id, held.kind == HELD, held.theme_key == NO_THEME)
        )
        .outerjoin(
            still_new,
            and_(
                still_new.stop_id == TourStop.id,
                still_new.kind == NEW,
                still_new.theme_key == NO_THEME,
            ),
        )
        .outerjoin(StopSignOff, StopSignOff.stop_id == TourStop.id)
        .where(scope.filter(TourStop.region_id))
        .order_by(TourStop.date.desc(), TourStop.city, TourStop.id)
    )
    if region_slug:
        query = query.join(Region, Region.id == TourStop.region_id).where(
            Region.slug == region_slug
        )
    if status is not None:
        query = query.where(TourStop.status == status)
    return [
        StopRow(stop=stop, submissions=int(total or 0), new=int(new or 0), signed=bool(is_signed))
        for stop, total, new, is_signed in session.execute(query).all()
    ]


def count_submissions(session: Session, stop_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Submission).where(Submission.stop_id == stop_id)
        )
        or 0
    )


@dataclass(frozen=True)
class StopFields:
    """A stop as HQ's form describes it; `names` are the Arabic and English city and venue
    (services.tour.stops.LOCALISED_NAMES)."""

    region_slug: str
    city: str
    venue: str | None
    date: dt.date | None
    grace_hours: int | None
    names: dict[str, str | None]


def _check(
    session: Session, fields: StopFields
) -> tuple[StopFields, Region | None, dict[str, list[object]]]:
    """The fields cleaned, their region, and an error per field that is wrong."""
    errors: dict[str, list[object]] = {}
    region = session.scalar(select(Region).where(Region.slug == (fields.region_slug or "")))
    if region is None:
        errors["region"] = [_l("Choisissez une région.")]
    city = clean_line(fields.city or "")
    if not city or len(city) > 120:
        errors["city"] = [_l("Indiquez la ville (120 caractères au plus).")]
    venue = clean_line(fields.venue or "") or None
    if venue is not None and len(venue) > 200:
        errors["venue"] = [_l("%(max)d caractères au plus.", max=200)]
    check_visible(city, "city", errors)
    check_visible(venue, "venue", errors)
    if fields.date is None:
        errors["date"] = [_l("Indiquez la date (AAAA-MM-JJ).")]
    if fields.grace_hours is None or not 0 <= fields.grace_hours <= MAX_GRACE_HOURS:
        errors["grace_hours"] = [_l("Entre %(min)d et %(max)d heures.", min=0, max=MAX_GRACE_HOURS)]
    names = clean_localised_names(fields.names, errors)
    return replace(fields, city=city, venue=venue, names=names), region, errors


def add_stop(session: Session, *, actor_id: int, fields: StopFields) -> TourStop:
    fields, _region, errors = _check(session, fields)
    if errors:
        raise ValidationFailed(errors)
    assert fields.date is not None and fields.grace_hours is not None
    return create_stop(
        session,
        region_slug=fields.region_slug,
        city=fields.city,
        date=fields.date,
        venue=fields.venue,
        actor_id=actor_id,
        grace_hours=fields.grace_hours,
        names=fields.names,
    )


def update_stop(
    session: Session, scope: Scope, stop_id: int, *, actor_id: int, fields: StopFields
) -> TourStop:
    scope.ensure(Permission.STOPS_MANAGE)
    fields, region, errors = _check(session, fields)
    stop = scoped_stop(session, scope, stop_id)
    if region is not None and region.id != stop.region_id:
        if not scope.allows(region.id):
            errors["region"] = [_l("Choisissez une région.")]
        elif count_submissions(session, stop.id):
            # Submissions carry their region: moving the stop would split it from them.
            errors["region"] = [
                _l("Cette étape a déjà reçu des contributions : sa région ne peut plus changer.")
            ]
    if errors:
        raise ValidationFailed(errors)
    assert region is not None and fields.date is not None and fields.grace_hours is not None
    with write_transaction(session):
        stop = scoped_stop(session, scope, stop_id)
        before = stop_snapshot(stop)
        stop.region = region
        stop.city, stop.venue = fields.city, fields.venue
        stop.date, stop.grace_hours = fields.date, fields.grace_hours
        for field, value in fields.names.items():
            setattr(stop, field, value)
        session.flush()
        _record_change(session, stop, before, actor_id=actor_id, action="stop.update")
    return stop


def set_stop_status(
    session: Session,
    scope: Scope,
    stop_id: int,
    *,
    actor_id: int,
    status: StopStatus,
) -> TourStop:
    """Open or close a stop (a closed stop can be reopened); closing stamps closed_at."""
    scope.ensure(Permission.STOPS_RUN)
    with write_transaction(session):
        stop = scoped_stop(session, scope, stop_id)
        if stop.status is status:
            return stop
        before = stop_snapshot(stop)
        stop.status = status
        stop.closed_at = utcnow() if status is StopStatus.CLOSED else None
        _record_change(session, stop, before, actor_id=actor_id, action=f"stop.{_verb(status)}")
    return stop


def _record_change(
    session: Session, stop: TourStop, before: dict[str, object], *, actor_id: int, action: str
) -> None:
    """The audit event of what changed in the stop since its snapshot `before`."""
    audit.record_change(
        session,
        actor_id=actor_id,
        action=action,
        target_type="stop",
        target_id=stop.id,
        region_id=stop.region_id,
        before=before,
        after=stop_snapshot(stop),
    )


def _verb(status: StopStatus) -> str:
    return {StopStatus.OPEN: "open", StopStatus.CLOSED: "close"}.get(status, "plan")
