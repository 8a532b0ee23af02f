"""Abuse control: rate limits that fit a venue's shared Wi-Fi, replays for free, a honeypot."""

from __future__ import annotations

import heapq
import random
import re
import socket
import types
import uuid
from pathlib import Path

import limits.storage.memory
import pytest
from sqlalchemy import func, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import Submission
from feedback_app.web.ratelimits import SUBMISSION_LIMITS
from tests.conftest import csrf_token, post_public_form, valid_payload
from tests.staff import PASSWORD, add_stop, login, make_user


def _app(database_url: str, **settings):
    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            **settings,
        }
    )


@pytest.fixture
def limited(database_url: str):
    """An app whose submission limit is 3 per minute per address."""
    app = _app(database_url, RATELIMIT_SUBMISSIONS="3 per minute", RATELIMIT_SIGN_IN="2/minute")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission)) or 0


def _api(client, code: str, payload: dict, addr: str = "10.0.0.1", **kw):
    return client.post(
        f"/api/v1/stops/{code}/submissions", json=payload, environ_base={"REMOTE_ADDR": addr}, **kw
    )


def _form_post(client, code: str, **fields):
    return post_public_form(client, code, addr="10.0.0.1", **fields)


def _open_stop(region: str = "marrakech-safi", city: str = "Marrakech") -> str:
    return add_stop(db.session, city, region).code


@pytest.fixture
def stop_code(limited):
    return _open_stop()


def test_api_posts_beyond_the_limit_get_a_json_429(limited, stop_code) -> None:
    client = limited.test_client()
    for _ in range(3):
        assert _api(client, stop_code, valid_payload()).status_code == 201
    refused = _api(client, stop_code, valid_payload())
    assert refused.status_code == 429
    assert refused.is_json
    assert "Patientez" in refused.json["error"] and " per " not in refused.json["error"]
    assert int(refused.headers["Retry-After"]) > 0  # the offline queue knows when to retry
    assert _stored() == 3


def test_form_and_api_share_one_bucket_and_the_form_gets_a_friendly_page(
    limited,
    stop_code,
) -> None:
    client = limited.test_client()
    assert _api(client, stop_code, valid_payload()).status_code == 201
    assert _form_post(client, stop_code).status_code == 302
    assert _api(client, stop_code, valid_payload()).status_code == 201
    refused = _form_post(client, stop_code)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert "Patientez une minute" in html and "pas perdue" in html
    assert _stored() == 3


def test_replays_of_stored_submissions_are_never_refused(limited, stop_code) -> None:
    client = limited.test_client()
    first = valid_payload()
    created = _api(client, stop_code, first)
    for _ in range(2):
        assert _api(client, stop_code, valid_payload()).status_code == 201
    assert _api(client, stop_code, valid_payload()).status_code == 429
    # The phone that never got its answer retries: it gets its receipt, limit or not ...
    for _ in range(5):
        replay = _api(client, stop_code, first)
        assert replay.status_code == 200
        assert replay.json == created.json
    # ... and its replays cost nothing to the next person (still refused: the window is full,
    # but not further extended by the replays).
    assert _stored() == 3


def test_replays_do_not_count_against_the_address(limited, stop_code) -> None:
    client = limited.test_client()
    payload = valid_payload()
    assert _api(client, stop_code, payload).status_code == 201
    for _ in range(10):
        assert _api(client, stop_code, payload).status_code == 200
    # Two more new submissions still fit in the 3-per-minute bucket.
    assert _api(client, stop_code, valid_payload()).status_code == 201
    assert _api(client, stop_code, valid_payload()).status_code == 201
    assert _api(client, stop_code, valid_payload()).status_code == 429


def test_each_address_has_its_own_bucket(limited, stop_code) -> None:
    client = limited.test_client()
    for _ in range(3):
        _api(client, stop_code, valid_payload(), addr="10.0.0.1")
    assert _api(client, stop_code, valid_payload(), addr="10.0.0.1").status_code == 429
    assert _api(client, stop_code, valid_payload(), addr="10.0.0.2").status_code == 201


def test_behind_a_proxy_the_forwarded_address_is_the_key(database_url) -> None:
    app = _app(database_url, RATELIMIT_SUBMISSIONS="1 per minute", PROXY_FIX_X_FOR=1)
    with app.app_context():
        code = _open_stop("fes-meknes", "Fès")
        client = app.test_client()

        def post(forwarded: str):
            return _api(
                client,
                code,
                valid_payload(),
                addr="127.0.0.1",
                headers={"X-Forwarded-For": forwarded},
            )

        assert post("198.51.100.1").status_code == 201
        assert post("198.51.100.1").status_code == 429
        assert post("198.51.100.2").status_code == 201
        db.session.remove()
        db.engine.dispose()


def test_limits_are_off_in_the_test_configuration(app, client, open_stop) -> None:
    """Other suites post hundreds of submissions from 127.0.0.1; they must not be limited."""
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(5):
        assert _api(client, open_stop.code, valid_payload()).status_code == 201


class _Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def time(self) -> float:
        return self.now


@pytest.mark.slow
def test_default_limits_let_200_people_on_one_wifi_submit_within_ten_minutes(
    database_url, monkeypatch
) -> None:
    """The venue: 200 phones behind one address, all sending within the same two minutes.

    Each person first posts with a mistake (422) and then corrects it; a 429 makes the phone
    wait for Retry-After and send again. Everyone must be stored before ten minutes are up.
    """
    clock = _Clock()
    monkeypatch.setattr(limits.storage.memory, "time", types.SimpleNamespace(time=clock.time))
    app = _app(database_url)
    assert app.config["RATELIMIT_SUBMISSIONS"] == SUBMISSION_LIMITS
    rng = random.Random(9)
    with app.app_context():
        code = _open_stop("souss-massa", "Agadir")
        client = app.test_client()
        start = clock.now
        events = [(start + rng.uniform(0, 120), person, "mistake") for person in range(200)]
        heapq.heapify(events)
        payloads = {p: valid_payload(client_id=str(uuid.uuid4())) for p in range(200)}
        done_at: dict[int, float] = {}
        refused = 0
        while events:
            at, person, step = heapq.heappop(events)
            clock.now = at
            body = payloads[person] if step == "send" else {**payloads[person], "items": []}
            response = _api(client, code, body, addr="192.0.2.10")
            if response.status_code == 429:
                refused += 1
                wait = max(1, int(response.headers.get("Retry-After", "1")))
                heapq.heappush(events, (at + wait, person, step))
            elif step == "mistake":
                assert response.status_code == 422
                heapq.heappush(events, (at + rng.uniform(20, 60), person, "send"))
            else:
                assert response.status_code == 201
                done_at[person] = at
        assert refused > 0  # the per-minute burst limit was reached, and everyone got through
        assert len(done_at) == 200
        last = max(done_at.values()) - start
        assert last <= 600, f"the last person was stored after {last:.0f} s"
        assert _stored() == 200
        db.session.remove()
        db.engine.dispose()


def test_an_address_flooding_submissions_is_held_back(database_url, monkeypatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(limits.storage.memory, "time", types.SimpleNamespace(time=clock.time))
    app = _app(database_url)
    with app.app_context():
        code = _open_stop("oriental", "Oujda")
        client = app.test_client()
        statuses = []
        for i in range(400):  # a script posting 4 times a second for 100 s
            clock.now += 0.25
            body = {
                "client_id": str(uuid.uuid4()),
                "organisation": f"Spam {i}",
                "category": "autre",
                "items": [],
            }
            statuses.append(_api(client, code, body, addr="192.0.2.66").status_code)
        assert statuses.count(429) >= 100
        db.session.remove()
        db.engine.dispose()


# --- sign-in ---------------------------------------------------------------------------------


def test_failed_sign_ins_are_limited_per_address(limited) -> None:
    client = limited.test_client()
    for n in range(2):
        response = client.post(
            "/login",
            data={
                "email": f"nobody{n}@example.ma",
                "password": "wrong password!",
                "csrf_token": _login_csrf(client),
            },
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        )
        assert response.status_code == 200
    refused = client.post(
        "/login",
        data={
            "email": "nobody9@example.ma",
            "password": "wrong password!",
            "csrf_token": _login_csrf(client),
        },
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion" in refused.get_data(as_text=True)


def test_successful_sign_ins_do_not_count(limited) -> None:
    make_user(db.session, "delegue@example.ma")
    for _ in range(4):
        client = limited.test_client()
        assert login(limited, client, "delegue@example.ma", PASSWORD).status_code == 302


def _login_csrf(client) -> str:
    return csrf_token(client.get("/login").get_data(as_text=True))


# --- shared counters in Redis ----------------------------------------------------------------


def _redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_the_limit_holds_across_workers(database_url) -> None:
    prefix = f"tournee-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_SUBMISSIONS": "3 per minute",
    }
    worker_a, worker_b = _app(database_url, **settings), _app(database_url, **settings)
    assert worker_a.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    with worker_a.app_context():
        code = _open_stop("draa-tafilalet", "Ouarzazate")
        db.session.remove()
    client_a, client_b = worker_a.test_client(), worker_b.test_client()
    with worker_a.app_context():
        assert _api(client_a, code, valid_payload()).status_code == 201
        assert _api(client_a, code, valid_payload()).status_code == 201
    with worker_b.app_context():
        assert _api(client_b, code, valid_payload()).status_code == 201
        assert _api(client_b, code, valid_payload()).status_code == 429
    with worker_a.app_context():
        assert _api(client_a, code, valid_payload()).status_code == 429
        db.engine.dispose()
    with worker_b.app_context():
        db.engine.dispose()


def test_an_unreachable_redis_never_fails_a_submission(database_url) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = _app(database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    with app.app_context():
        code = _open_stop("rabat-sale-kenitra", "Rabat")
        client = app.test_client()
        for _ in range(3):
            assert _api(client, code, valid_payload()).status_code == 201
        assert _stored() == 3
        db.session.remove()
        db.engine.dispose()


# --- honeypot --------------------------------------------------------------------------------


def test_honeypot_is_hidden_from_people(client, open_stop) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    match = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html, re.S)
    assert match, "honeypot block missing"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", match.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    css = (Path(__file__).parent.parent / "feedback_app/static/css/app.css").read_text()
    assert re.search(r"\.hp\s*\{[^}]*-10000px", css)


def test_a_filled_honeypot_gets_a_receipt_but_nothing_is_stored(
    client,
    open_stop,
    session,
) -> None:
    response = _form_post(client, open_stop.code, website="http://spam.example")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "votre contribution est enregistrée" in html
    assert re.search(r'class="reference"[^>]*>[A-Z0-9]+(-[A-Z0-9]{4}){3}<', html)
    assert _stored() == 0


def test_an_empty_honeypot_stores_normally(client, open_stop, session) -> None:
    response = _form_post(client, open_stop.code, website="")
    assert response.status_code == 302
    assert _stored() == 1
