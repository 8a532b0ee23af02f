"""Sign-in throttling: attackers are slowed down, owners are never locked out by them.

Attempts are counted in the database before the password is checked, per (account, address)
and per address (services/accounts/signin.py, services/accounts/attempts.py).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from bench.harness import gunicorn, wait_until_up
from feedback_app.database import write_transaction
from feedback_app.models import AuditEvent, Role, SignInCounter
from feedback_app.services.accounts import signin
from feedback_app.services.accounts.signin import ACCOUNT_ATTEMPTS, ADDRESS_ATTEMPTS
from tests.staff import PASSWORD, csrf_for, login, make_user

WRONG = "wrong password, long enough"


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _failed_events(session) -> list[AuditEvent]:
    session.rollback()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")))


@pytest.fixture
def owner(session):
    return make_user(session, "siege@example.ma", role=Role.HQ, regions=())


def test_an_attacker_trickling_guesses_never_keeps_the_owner_out(app, session, owner) -> None:
    attacker = _client(app, "203.0.113.7")
    for _ in range(ACCOUNT_ATTEMPTS + 3):
        login(app, attacker, owner.email, WRONG)
    # The attacker is held back, even once they find the right password...
    refused = login(app, attacker, owner.email, PASSWORD)
    assert refused.status_code == 429
    assert "Réessayez dans" in refused.get_data(as_text=True)
    # ...while the owner, from their own address, signs in at once.
    assert login(app, _client(app, "198.51.100.20"), owner.email).status_code == 302


def test_the_attacker_waits_for_the_window_then_tries_again(app, session, owner) -> None:
    attacker = _client(app, "203.0.113.7")
    statuses = [
        login(app, attacker, owner.email, WRONG).status_code for _ in range(ACCOUNT_ATTEMPTS + 1)
    ]
    assert statuses == [200] * ACCOUNT_ATTEMPTS + [429]
    with write_transaction(session):  # the window has passed
        session.execute(
            update(SignInCounter).values(
                window_start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            )
        )
    assert login(app, attacker, owner.email).status_code == 302


def test_a_success_gives_the_attempts_back(app, session, owner) -> None:
    client = _client(app, "198.51.100.20")
    for _ in range(ACCOUNT_ATTEMPTS - 1):
        assert login(app, client, owner.email, WRONG).status_code == 200
    assert login(app, client, owner.email).status_code == 302
    other = _client(app, "198.51.100.20")
    for _ in range(ACCOUNT_ATTEMPTS - 1):
        assert login(app, other, owner.email, WRONG).status_code == 200
    assert login(app, other, owner.email).status_code == 302


def test_one_address_cannot_sweep_through_many_accounts(app, session, owner) -> None:
    app.config["SIGN_IN_ADDRESS_ATTEMPTS"] = 6
    sweeper = _client(app, "203.0.113.9")
    statuses = [login(app, sweeper, f"guess{i}@example.ma", WRONG).status_code for i in range(8)]
    assert statuses == [200] * 6 + [429] * 2
    assert login(app, _client(app, "198.51.100.20"), owner.email).status_code == 302


def test_a_venue_with_many_people_mistyping_is_not_locked_out(app, session) -> None:
    # 30 colleagues behind one Wi-Fi address each mistype twice, then sign in.
    user = make_user(session, "d1@example.ma")
    assert ADDRESS_ATTEMPTS > 30 * 2
    with write_transaction(session):
        key = signin.Throttle.from_config(app.config).address_key(signin.SIGN_IN, "127.0.0.1")
        session.add(SignInCounter(key=key, attempts=60, window_start=dt.datetime.now(dt.UTC)))
    assert login(app, app.test_client(), user.email).status_code == 302


def test_concurrent_wrong_attempts_check_at_most_the_allowed_passwords(
    app, session, owner, monkeypatch
) -> None:
    checks, lock = [], threading.Lock()
    real_verify = signin.verify_password

    def counting_verify(password_hash: str | None, password: str) -> bool:
        with lock:
            checks.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(signin, "verify_password", counting_verify)
    clients = [_client(app, "203.0.113.7") for _ in range(25)]
    tokens = [csrf_for(app, client) for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    email = owner.email

    def attempt(client: FlaskClient, token: str) -> None:
        start.wait()
        response = client.post(
            "/login", data={"email": email, "password": WRONG, "csrf_token": token}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * ACCOUNT_ATTEMPTS + [429] * (25 - ACCOUNT_ATTEMPTS)
    assert len(checks) == ACCOUNT_ATTEMPTS
    assert len(_failed_events(session)) == ACCOUNT_ATTEMPTS


def test_failures_for_unknown_accounts_do_not_keep_what_was_typed(app, session, owner) -> None:
    typed = "MySecretPassw0rd-in-the-wrong-field"
    login(app, _client(app, "198.51.100.20"), typed, WRONG)
    login(app, _client(app, "198.51.100.20"), owner.email, WRONG)
    events = _failed_events(session)
    assert len(events) == 2
    assert all(typed.lower() not in str(event.after) for event in events)
    assert {event.target_id for event in events} == {None, owner.id}
    session.rollback()
    stored = " ".join(row.key for row in session.scalars(select(SignInCounter)))
    assert typed.lower() not in stored and "198.51.100.20" not in stored


def _statuses_over_http(base_url: str, email: str, attempts: int) -> list[int]:
    statuses = []
    for _ in range(attempts):
        # A new visitor each time: the page, its token and cookie, then the post.
        with requests.Session() as browser:
            page = browser.get(f"{base_url}/login", timeout=30)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
            assert token, page.text[:500]
            response = browser.post(
                f"{base_url}/login",
                timeout=30,
                allow_redirects=False,
                data={"email": email, "password": WRONG, "csrf_token": token.group(1)},
            )
            statuses.append(response.status_code)
    return statuses


def test_two_workers_answer_alike_for_existing_and_unknown_accounts(
    app, session, owner, database_url, tmp_path: Path
) -> None:
    email = owner.email
    session.remove()
    log = tmp_path / "gunicorn.log"
    env = {"TOURNEE_ENV": "development", "RATELIMIT_ENABLED": "0"}
    with gunicorn(database_url, log, workers=2, env=env) as (process, base_url):
        wait_until_up(f"{base_url}/login", process)
        attempts = ACCOUNT_ATTEMPTS + 3
        existing = _statuses_over_http(base_url, email, attempts)
        unknown = _statuses_over_http(base_url, "nobody@example.ma", attempts)
    assert existing == unknown == [200] * ACCOUNT_ATTEMPTS + [429] * 3, log.read_text()
