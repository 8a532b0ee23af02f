"""The offline queue's late arrivals: a stop that closed while a phone was offline.

A submission filled while the stop was open and sent within the stop's grace period after it
closed is stored and flagged late; anything else meets the closed door (409) as before.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from feedback_app.database import write_transaction
from feedback_app.models import StopStatus, Submission, SubmissionSource
from feedback_app.services.capture.submissions import submit
from feedback_app.services.errors import StopNotOpen, ValidationFailed
from tests.conftest import valid_payload

NOW = dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _close(session, stop, *, hours_ago: float, grace_hours: int = 24):
    with write_transaction(session):
        stop.status = StopStatus.CLOSED
        stop.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
        stop.grace_hours = grace_hours
    return stop


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Submission))


def _send(session, stop, **overrides):
    return submit(session, stop.code, valid_payload(**overrides), source=SubmissionSource.API)


def test_filled_before_closing_and_sent_within_grace_is_stored_late(session, open_stop):
    stop = _close(session, open_stop, hours_ago=1)
    filled = NOW - dt.timedelta(hours=2)

    receipt = _send(session, stop, filled_at=_iso(filled))

    stored = session.get(Submission, receipt.id)
    assert receipt.created and stored.late is True
    assert abs(_utc(stored.filled_at) - filled) < dt.timedelta(seconds=1)
    assert [item.text for item in stored.items] == ["Former le personnel à l'accueil en anglais."]


@pytest.mark.parametrize(
    ("case", "closed_hours_ago", "grace", "filled_hours_ago"),
    [
        ("filled after closing", 2, 24, 1),
        ("grace period over", 25, 24, 26),
        ("no grace at all", 1, 0, 2),
    ],
)
def test_late_submission_outside_the_rules_is_refused(
    session, open_stop, case, closed_hours_ago, grace, filled_hours_ago
):
    stop = _close(session, open_stop, hours_ago=closed_hours_ago, grace_hours=grace)
    with pytest.raises(StopNotOpen):
        _send(session, stop, filled_at=_iso(NOW - dt.timedelta(hours=filled_hours_ago)))
    assert _count(session) == 0, case


def test_closed_stop_without_filled_at_is_refused_as_before(session, open_stop):
    stop = _close(session, open_stop, hours_ago=0.5)
    with pytest.raises(StopNotOpen):
        _send(session, stop)
    assert _count(session) == 0


def test_closed_stop_without_a_recorded_closing_time_takes_nothing_late(session, make_stop):
    stop = make_stop(status=StopStatus.CLOSED)
    with pytest.raises(StopNotOpen):
        _send(session, stop, filled_at=_iso(NOW - dt.timedelta(hours=1)))


def test_planned_stop_takes_nothing_even_with_a_filled_at(session, make_stop):
    stop = make_stop(status=StopStatus.PLANNED)
    with pytest.raises(StopNotOpen):
        _send(session, stop, filled_at=_iso(NOW - dt.timedelta(minutes=5)))


def test_open_stop_records_filled_at_and_is_not_late(session, open_stop):
    filled = NOW - dt.timedelta(minutes=40)
    receipt = _send(session, open_stop, filled_at=filled.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    stored = session.get(Submission, receipt.id)
    assert stored.late is False
    assert abs(_utc(stored.filled_at) - filled) < dt.timedelta(seconds=1)


def test_filled_at_without_zone_is_utc_and_other_zones_are_converted(session, open_stop):
    naive = _send(session, open_stop, filled_at="2025-01-10T09:30:00")
    casablanca = _send(session, open_stop, filled_at="2025-01-10T10:30:00+01:00")
    for receipt in (naive, casablanca):
        stored = session.get(Submission, receipt.id)
        assert _utc(stored.filled_at) == dt.datetime(2025, 1, 10, 9, 30, tzinfo=dt.UTC)


def test_a_device_clock_in_the_future_is_brought_back_to_arrival(session, open_stop):
    receipt = _send(session, open_stop, filled_at=_iso(NOW + dt.timedelta(days=3)))
    stored = session.get(Submission, receipt.id)
    assert _utc(stored.filled_at) <= dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("bad", ["yesterday", 1736500000, "2025-13-40T00:00:00", "9" * 80])
def test_unreadable_filled_at_is_a_validation_error(session, open_stop, bad):
    with pytest.raises(ValidationFailed) as failure:
        _send(session, open_stop, filled_at=bad)
    assert "filled_at" in failure.value.errors
    assert _count(session) == 0


def test_api_accepts_a_late_arrival_once_and_replays_its_receipt(client, session, open_stop):
    stop = _close(session, open_stop, hours_ago=3, grace_hours=12)
    code = stop.code
    payload = valid_payload(filled_at=_iso(NOW - dt.timedelta(hours=4)))

    first = client.post(f"/api/v1/stops/{code}/submissions", json=payload)
    again = client.post(f"/api/v1/stops/{code}/submissions", json=payload)
    too_late = client.post(
        f"/api/v1/stops/{code}/submissions",
        json=valid_payload(filled_at=_iso(NOW - dt.timedelta(hours=2))),
    )

    assert first.status_code == 201
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert too_late.status_code == 409 and too_late.get_json()["status"] == "closed"
    assert _count(session) == 1
    assert session.scalar(select(Submission.late)) is True


def test_a_stored_late_arrival_is_still_answered_after_the_grace_period(session, open_stop):
    stop = _close(session, open_stop, hours_ago=1, grace_hours=2)
    payload = valid_payload(filled_at=_iso(NOW - dt.timedelta(hours=2)))
    first = submit(session, stop.code, payload, source=SubmissionSource.API)
    _close(session, stop, hours_ago=5, grace_hours=2)  # the window has shut since

    replay = submit(session, stop.code, payload, source=SubmissionSource.API)

    assert replay.reference == first.reference and replay.created is False
    assert _count(session) == 1
