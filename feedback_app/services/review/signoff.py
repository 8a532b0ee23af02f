"""Delegate sign-off of a stop's review and HQ's reopening.

A sign-off record per stop: a region holding several stops is signed off when all of its
stops are (`region_states`). The lock it puts on the stop's review is services/tour/stop_lock.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from feedback_app.database import write_transaction
from feedback_app.models import StopSignOff, StopTally, TourStop
from feedback_app.models.tally import NEW, NO_THEME
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.permissions import Permission
from feedback_app.services.text import required_text
from feedback_app.services.tour.stops import scoped_stop

MAX_SUMMARY = 5000
MAX_REASON = 1000


@dataclass(frozen=True)
class BeforeSigning:
    """What a delegate should know before signing: the stop still open, entries still new."""

    still_open: bool
    new_submissions: int

    @property
    def needs_confirmation(self) -> bool:
        return self.still_open or self.new_submissions > 0


def before_signing(session: Session, stop: TourStop) -> BeforeSigning:
    new = session.scalar(  # the stop's running count (services/capture/tally.py)
        select(StopTally.count).where(
            StopTally.stop_id == stop.id, StopTally.kind == NEW, StopTally.theme_key == NO_THEME
        )
    )
    return BeforeSigning(still_open=stop.is_open, new_submissions=int(new or 0))


def get_signoff(
    session: Session,
    scope: Scope,
    stop_id: int,
) -> tuple[TourStop, StopSignOff | None]:
    """The stop of the scope and its sign-off record, if one was ever written."""
    stop = scoped_stop(session, scope, stop_id)
    record = session.scalar(
        select(StopSignOff)
        .options(joinedload(StopSignOff.signed_by))
        .where(StopSignOff.stop_id == stop.id)
    )
    return stop, record


def sign_off(
    session: Session,
    scope: Scope,
    stop_id: int,
    summary: str,
    *,
    actor_id: int | None,
) -> StopSignOff:
    """Save the delegate's summary and sign the stop's review off (audited together)."""
    scope.ensure(Permission.SIGNOFF_SIGN)
    missing = _l("Écrivez la synthèse avant de signer.")
    text = required_text(summary, "summary", missing, MAX_SUMMARY)
    with write_transaction(session):
        stop = scoped_stop(session, scope, stop_id)
        record = session.get(StopSignOff, stop.id)
        if record is not None and record.is_signed:
            raise ValidationFailed({"summary": [_l("Cette étape est déjà signée.")]})
        if record is None:
            record = StopSignOff(stop_id=stop.id, region_id=stop.region_id)
            session.add(record)
        now = utcnow()
        record.summary = text
        record.signed_by_id = actor_id
        record.signed_at = now
        audit.record(
            session,
            actor_id=actor_id,
            action="stop.signoff",
            target_type="stop",
            target_id=stop.id,
            region_id=stop.region_id,
            after={"summary": text, "signed_at": now},
        )
    return record


def reopen(
    session: Session,
    scope: Scope,
    stop_id: int,
    reason: str,
    *,
    actor_id: int | None,
) -> StopSignOff:
    """HQ reopens a signed-off stop for review; the reason is required and audited."""
    scope.ensure(Permission.SIGNOFF_REOPEN)
    missing = _l("Indiquez pourquoi l'étape est rouverte.")
    reason = required_text(reason, "reason", missing, MAX_REASON)
    with write_transaction(session):
        stop = scoped_stop(session, scope, stop_id)
        record = session.get(StopSignOff, stop.id)
        if record is None or not record.is_signed:
            raise ValidationFailed({"reason": [_l("Cette étape n'est pas signée.")]})
        audit.record(
            session,
            actor_id=actor_id,
            action="stop.reopen",
            target_type="stop",
            target_id=stop.id,
            region_id=stop.region_id,
            before={"signed_at": record.signed_at, "signed_by_id": record.signed_by_id},
            after={"reason": reason},
        )
        record.signed_at = None
        record.signed_by_id = None
    return record


@dataclass(frozen=True)
class StopState:
    stop_id: int
    city: str
    date: dt.date
    summary: str
    signed_by: str | None  # the signer's name (or e-mail), None when not signed
    signed_at: dt.datetime | None


@dataclass(frozen=True)
class RegionState:
    """A region is signed off when every one of its stops is; `signed_*` is the last one."""

    region_id: int
    stops: tuple[StopState, ...]

    @property
    def signed(self) -> tuple[StopState, ...]:
        return tuple(s for s in self.stops if s.signed_at is not None)

    @property
    def complete(self) -> bool:
        return bool(self.stops) and len(self.signed) == len(self.stops)

    @property
    def last(self) -> StopState | None:
        signed = self.signed
        return max(signed, key=lambda s: s.signed_at or dt.datetime.min) if signed else None


def region_states(session: Session, region_ids: Sequence[int]) -> dict[int, RegionState]:
    """Every region's stops with their sign-off, in date order (two queries in all)."""
    region_ids = list(region_ids)
    stops = session.execute(
        select(TourStop.id, TourStop.region_id, TourStop.city, TourStop.date)
        .where(TourStop.region_id.in_(region_ids))
        .order_by(TourStop.date, TourStop.id)
    ).all()
    records = {
        r.stop_id: r
        for r in session.scalars(
            select(StopSignOff)
            .options(joinedload(StopSignOff.signed_by))
            .where(StopSignOff.region_id.in_(region_ids))
        )
    }
    grouped: dict[int, list[StopState]] = {rid: [] for rid in region_ids}
    for stop_id, region_id, city, date in stops:
        record = records.get(stop_id)
        signer = record.signed_by if record is not None and record.is_signed else None
        grouped[region_id].append(
            StopState(
                stop_id=stop_id,
                city=city,
                date=date,
                summary=record.summary if record is not None else "",
                signed_by=(signer.name or signer.email) if signer is not None else None,
                signed_at=record.signed_at if record is not None else None,
            )
        )
    return {rid: RegionState(rid, tuple(states)) for rid, states in grouped.items()}
