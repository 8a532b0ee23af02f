"""Hostile staff input answered with a clear 4xx or a re-rendered page, never a 500.

The cases a hostile user found (issue 14); tests/test_route_fuzz.py retires the class.
"""

from __future__ import annotations

import pytest

from tests.staff import post

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path, message",
    [
        ("/review/?date_to=9999-12-31", "Date hors limites"),
        ("/review/?date_from=0001-01-01", "Date hors limites"),
        ("/hq/?until=9999-12-31", "Période non valide"),
        ("/hq/?since=0001-01-01", "Période non valide"),
    ],
)
def test_dates_at_the_calendars_limits_are_refused_clearly(hq, path: str, message: str) -> None:
    response = hq.get(path)
    assert response.status_code in (200, 422)
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"until": "9999-12-31"}, {"stops": HUGE + "999"}])
def test_export_form_refuses_out_of_range_values(app, hq, data: dict) -> None:
    response = post(app, hq, "/hq/exports", data)
    assert response.status_code == 422


def test_audit_filter_with_a_huge_user_id_lists_nothing_special(hq) -> None:
    assert hq.get(f"/hq/audit?user={HUGE}&page={HUGE}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/hq/stops?region=a%00b", "/review/?q=a%00b", "/hq/audit?action=%00"]
)
def test_a_nul_in_the_query_string_is_a_bad_request(hq, path: str) -> None:
    assert hq.get(path).status_code == 400


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", f"/hq/stops/{HUGE}/poster"),
        ("GET", f"/hq/stops/{HUGE}/edit"),
        ("GET", f"/hq/themes/{HUGE}/edit"),
        ("POST", f"/hq/themes/{HUGE}/retire"),
        ("GET", f"/hq/users/{HUGE}/edit"),
        ("POST", f"/hq/users/{HUGE}/deactivate"),
        ("GET", "/hq/stops/2147483648/poster"),
    ],
)
def test_ids_beyond_the_integer_range_are_not_found(app, hq, method: str, path: str) -> None:
    response = hq.get(path) if method == "GET" else post(app, hq, path)
    assert response.status_code == 404


def test_privacy_erase_with_a_huge_id_erases_nothing(app, hq) -> None:
    response = post(app, hq, "/hq/privacy", {"action": "erase", "confirm": "y", "submission": HUGE})
    assert response.status_code == 302
