"""Every state-changing route refuses a request without a valid CSRF token, and changes nothing.

The POST routes come from the access matrix (which fails when a route is missing from it). For
each, a request with no token and one with a forged token must answer 400 and leave the whole
database as it was. Where a payload is known to change something (PAYLOADS), the same request
WITH a valid token is sent afterwards as a control: it must change the database, which proves
that the refusal came from the missing token and not from the payload.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text

from feedback_app.extensions import db
from tests.staff import PASSWORD, csrf_for, html_csrf, session_for
from tests.test_access_matrix import MATRIX, R

# Routes that do not use the session-bound token, and why.
EXEMPT = {
    # JSON API for the offline queue: no cookie authenticates it, so there is nothing to forge.
    "api.create_submission": "JSON API without cookie authentication",
    # One-click unsubscribe from a mail client (RFC 8058): no session, the signed token decides.
    "followup.unsubscribe_page": "one-click unsubscribe authorised by its signed token",
}


SETUP = {
    "hq.stop_open": (
        "UPDATE tour_stops SET status = :s WHERE id = :id",
        "stop_a",
        {"s": "closed"},
    ),
    "hq.theme_restore": ("UPDATE themes SET retired = :r WHERE id = :id", "theme", {"r": True}),
    "hq.user_reactivate": ("UPDATE users SET active = :a WHERE id = :id", "user_a", {"a": False}),
}


def _payloads(ids: dict) -> dict[str, dict]:
    """Form data that changes something when the token is valid."""
    return {
        "public.stop_form": {
            "client_id": str(uuid.uuid4()),
            "organisation": "Sans jeton",
            "category": "guide",
            "need-0-text": "Un besoin écrit sans jeton valide.",
        },
        "auth.login": {"email": "delegue.a@example.ma", "password": PASSWORD},
        "auth.logout": {},
        "auth.set_password": {
            "password": "une phrase assez longue",
            "confirm": "une phrase assez longue",
        },
        "hq.stop_create": {
            "region": "fes-meknes",
            "city": "Ifrane",
            "date": dt.date(2025, 6, 1).isoformat(),
            "grace_hours": "24",
        },
        "hq.stop_edit": {
            "region": "marrakech-safi",
            "city": "Safi",
            "date": "2025-03-01",
            "grace_hours": "24",
        },
        "hq.stop_open": {"confirmed": "yes"},
        "review.share_create": {"region": "marrakech-safi", "days": "7"},
        "review.share_revoke": {},
        "hq.stop_close": {"confirmed": "yes"},
        "hq.user_create": {"email": "nouveau@example.ma", "role": "hq"},
        "hq.user_edit": {
            "email": "autre.a@example.ma",
            "name": "Nouveau nom",
            "role": "delegate",
            "regions": ["marrakech-safi"],
        },
        "hq.user_link": {},
        "auth.account_token_create": {"name": "Power BI", "days": "30"},
        "hq.user_deactivate": {},
        "hq.themes": {"name_fr": "Artisanat"},
        "hq.theme_edit": {"name_fr": "Numérique", "name_ar": "", "name_en": ""},
        "hq.theme_retire": {},
        "hq.theme_move": {"direction": "down"},
    }


def _snapshot() -> dict[str, list]:
    """Every row of every table, to compare before and after."""
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        state[table.name] = sorted(tuple(map(str, row)) for row in rows)
    db.session.rollback()
    return state


POST_ROWS = [row for row in MATRIX if row.method == "POST"]


def test_every_post_route_is_checked(app) -> None:
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts <= {row.endpoint for row in POST_ROWS}, "add the route to the access matrix"


@pytest.mark.parametrize("row", POST_ROWS, ids=[f"{r.endpoint} {r.path}" for r in POST_ROWS])
def test_post_without_valid_csrf_token_changes_nothing(app, session, world, row: R) -> None:
    if row.endpoint in EXEMPT:
        pytest.skip(EXEMPT[row.endpoint])
    setup = SETUP.get(row.endpoint)
    if setup:  # put the record in the state the action changes
        session.execute(text(setup[0]), {"id": world.ids[setup[1]], **setup[2]})
        session.commit()
    anonymous = row.endpoint.startswith(("public.", "auth.login", "auth.set_password"))
    client = app.test_client() if anonymous else session_for(app, session, world.emails["hq"])
    path = row.path.format(**world.ids)
    payload = _payloads(world.ids).get(row.endpoint, row.data)
    before = _snapshot()

    no_token = client.post(path, data=payload)
    forged = client.post(path, data={**payload, "csrf_token": "forged." + "x" * 40})
    for response in (no_token, forged):
        if row.endpoint == "public.stop_form":
            # The stop form checks its own token so that a stale page keeps the typed text.
            assert response.status_code == 422
            assert "Sans jeton" in response.get_data(as_text=True)
        else:
            assert response.status_code == 400, response.status_code
    assert _snapshot() == before, "a request without a valid CSRF token changed the database"

    if row.endpoint in _payloads(world.ids) or row.endpoint in SETUP:
        if row.endpoint == "public.stop_form":
            token = html_csrf(client.get(path).get_data(as_text=True))
        else:
            token = csrf_for(app, client)
        control = client.post(path, data={**payload, "csrf_token": token})
        assert control.status_code in (200, 302, 303), control.status_code
        assert _snapshot() != before, "control: the payload should change something"
