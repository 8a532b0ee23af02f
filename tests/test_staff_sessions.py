"""Staff sessions end after an idle time (default 8 h) and a lifetime (default 7 days)."""

from __future__ import annotations

import time

import pytest

from feedback_app.models import Role
from tests.staff import make_user, session_for

HOUR = 3600


@pytest.fixture
def staff(app, session):
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = session_for(app, session, "siege@example.ma")
    assert client.get("/hq/stops").status_code == 200  # the clock starts
    return client


def _age(client, *, started: float | None = None, seen: float | None = None) -> None:
    with client.session_transaction() as sess:
        if started is not None:
            sess["signed_in_at"] = time.time() - started
        if seen is not None:
            sess["seen_at"] = time.time() - seen


def test_a_session_idle_for_eight_hours_is_over(staff) -> None:
    _age(staff, seen=8 * HOUR + 60)
    response = staff.get("/hq/stops")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert staff.get("/hq/stops").status_code == 302  # and stays over


def test_a_session_in_use_goes_on_and_its_idle_clock_restarts(staff) -> None:
    _age(staff, started=6 * 24 * HOUR, seen=7 * HOUR)
    assert staff.get("/hq/stops").status_code == 200
    with staff.session_transaction() as sess:
        assert time.time() - sess["seen_at"] < 60


def test_a_session_ends_seven_days_after_sign_in_even_in_use(staff) -> None:
    _age(staff, started=7 * 24 * HOUR + 60, seen=60)
    assert staff.get("/hq/stops").status_code == 302


def test_the_times_are_settings(app, staff) -> None:
    app.config["STAFF_SESSION_IDLE_SECONDS"] = 600
    _age(staff, seen=601)
    assert staff.get("/hq/stops").status_code == 302
