"""Tour stops: creation, lookup (by public code, in a scope) and a stop's public description."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from feedback_app.database import write_transaction
from feedback_app.models import Region, StopStatus, TourStop
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.codes import normalise_typed_code, stop_code
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.text import check_visible, clean_line

_CODE_ATTEMPTS = 5
# The stop's names in Arabic and English, with their maximum lengths (the French ones are
# `city` and `venue`). Empty means "shown in French", which staff screens point out.
LOCALISED_NAMES = {"city_ar": 120, "city_en": 120, "venue_ar": 200, "venue_en": 200}


def clean_localised_names(
    names: dict[str, str | None] | None, errors: dict[str, list[object]]
) -> dict[str, str | None]:
    """Trimmed names (None when empty); an error per field that is too long."""
    cleaned: dict[str, str | None] = {}
    for field, limit in LOCALISED_NAMES.items():
        value = clean_line((names or {}).get(field) or "") or None
        if value is not None and len(value) > limit:
            errors[field] = [_l("%(max)d caractères au plus.", max=limit)]
        check_visible(value, field, errors)
        cleaned[field] = value
    return cleaned


def get_stop_by_code(session: Session, code: str) -> TourStop:
    stop = session.scalar(select(TourStop).where(TourStop.code == normalise_typed_code(code)))
    if stop is None:
        raise NotFound(code)
    return stop


def create_stop(
    session: Session,
    *,
    region_slug: str,
    city: str,
    date: dt.date,
    venue: str | None = None,
    status: StopStatus = StopStatus.PLANNED,
    actor_id: int | None = None,
    grace_hours: int = 24,
    names: dict[str, str | None] | None = None,
) -> TourStop:
    city = clean_line(city or "")
    venue = clean_line(venue or "") or None
    errors: dict[str, list[object]] = {}
    region = session.scalar(select(Region).where(Region.slug == region_slug))
    if region is None:
        errors["region"] = [_l("Région inconnue.")]
    if not city or len(city) > 120:
        errors["city"] = [_l("Indiquez la ville (120 caractères au plus).")]
    if venue is not None and len(venue) > 200:
        errors["venue"] = [_l("%(max)d caractères au plus.", max=200)]
    check_visible(city, "city", errors)
    check_visible(venue, "venue", errors)
    localised = clean_localised_names(names, errors)
    if errors:
        raise ValidationFailed(errors)
    for _attempt in range(_CODE_ATTEMPTS):
        try:
            with write_transaction(session):
                stop = TourStop(
                    code=stop_code(),
                    region=region,
                    city=city,
                    venue=venue,
                    date=date,
                    status=status,
                    grace_hours=grace_hours,
                    **localised,
                )
                session.add(stop)
                session.flush()
                audit.record(
                    session,
                    actor_id=actor_id,
                    action="stop.create",
                    target_type="stop",
                    target_id=stop.id,
                    region_id=stop.region_id,
                    after=stop_snapshot(stop),
                )
            return stop
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a unique stop code")


def stop_snapshot(stop: TourStop) -> dict[str, object]:
    """The audited fields of a stop, as stored in the audit trail's before/after."""
    return {
        "code": stop.code,
        "region": stop.region.slug if stop.region else None,
        "city": stop.city,
        "venue": stop.venue,
        "date": stop.date,
        "status": stop.status,
        "grace_hours": stop.grace_hours,
        "closed_at": stop.closed_at,
        **{field: getattr(stop, field) for field in LOCALISED_NAMES},
    }


@dataclass(frozen=True)
class RegionStops:
    region: Region
    stops: Sequence[TourStop]


def open_stops_by_region(session: Session) -> list[RegionStops]:
    stops = session.scalars(
        select(TourStop)
        .join(TourStop.region)
        .where(TourStop.status == StopStatus.OPEN)
        .order_by(Region.position, TourStop.date, TourStop.city)
    ).all()
    grouped: dict[int, list[TourStop]] = {}
    for stop in stops:
        grouped.setdefault(stop.region_id, []).append(stop)
    return [RegionStops(region=group[0].region, stops=group) for group in grouped.values()]


def scoped_stop(
    session: Session, scope: Scope, stop_id: int, *options: ExecutableOption
) -> TourStop:
    """The stop, when its region is in the scope; NotFound otherwise. `options`: what to load
    with it (joinedload(TourStop.region) saves a page that names the region a round trip)."""
    stop = session.scalar(
        select(TourStop)
        .options(*options)
        .where(TourStop.id == stop_id, scope.filter(TourStop.region_id))
    )
    if stop is None:
        raise NotFound(stop_id)
    return stop
