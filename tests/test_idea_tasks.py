"""Recurring ideas regrouped in the background: one pending task per interval, not one per post."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from feedback_app import create_app
from feedback_app.extensions import db, taskqueue
from feedback_app.services.ideas.groups import is_stale
from feedback_app.tasks.grouping import regroup_ideas
from tests.conftest import valid_payload

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _post(client, code: str) -> None:
    response = client.post(f"/api/v1/stops/{code}/submissions", json=valid_payload())
    assert response.status_code == 201, response.get_data(as_text=True)[:300]


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Delays (ms) of the regrouping messages actually handed to the broker."""
    delays: list[int] = []
    send = regroup_ideas._send

    def counting(args, kwargs, delay_ms=None):
        delays.append(delay_ms)
        return send(args, kwargs, delay_ms=delay_ms)

    monkeypatch.setattr(regroup_ideas, "_send", counting)
    return delays


class _Clock:
    """The debounce's clock, moved by the test: on a loaded machine two posts meant to fall
    within 0.3 s could be further apart and queue two runs."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    import feedback_app.taskqueue

    fake = _Clock()
    monkeypatch.setattr(feedback_app.taskqueue, "time", fake)
    return fake


def test_posts_within_the_interval_queue_a_single_regrouping(app, client, open_stop, sent):
    app.config["REGROUP_DELAY_SECONDS"] = 60
    for _ in range(5):
        _post(client, open_stop.code)
    assert sent == [60_000]


def test_ideas_are_regrouped_after_the_interval_and_again_after_later_posts(
    app, client, open_stop, sent, clock
):
    app.config["REGROUP_DELAY_SECONDS"] = 0.3
    _post(client, open_stop.code)
    _post(client, open_stop.code)
    assert is_stale(db.session)
    taskqueue.join(app)
    db.session.rollback()  # see what the worker committed
    assert not is_stale(db.session)

    clock.now += 0.35  # the pending run is over: a new change needs a new one
    _post(client, open_stop.code)
    assert is_stale(db.session)
    taskqueue.join(app)
    db.session.rollback()
    assert not is_stale(db.session)
    assert sent == [300, 300]


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def two_hosts(database_url: str, tmp_path) -> Iterator[tuple[Flask, Flask]]:
    """Two applications (two gunicorn workers or hosts) on one database and one Redis."""
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    namespace = f"tournee-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": REDIS_URL,
        "TASKS_NAMESPACE": namespace,
        "REGROUP_DELAY_SECONDS": 60,
    }
    apps = (create_app(settings), create_app(settings))
    yield apps
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_hosts_sharing_a_broker_queue_one_regrouping_between_them(two_hosts, sent) -> None:
    first, second = two_hosts
    with first.app_context():
        from tests.staff import add_stop

        code = add_stop(db.session, venue="Salle A").code
        db.session.remove()
    for app in (first, second, first, second):
        with app.app_context():
            _post(app.test_client(), code)
            db.session.remove()
    assert sent == [60_000]


def test_between_full_regroupings_the_task_places_new_items_and_owes_one_full_run(
    app, client, open_stop, sent, monkeypatch, clock
):
    from feedback_app.tasks.grouping import regroup_ideas_full

    full_delays: list[int] = []

    def counting_full(args, kwargs, delay_ms=None):
        # Noted, not queued: joining the queue would wait the whole interval for it.
        full_delays.append(delay_ms)
        return "noted"

    monkeypatch.setattr(regroup_ideas_full, "_send", counting_full)
    app.config["REGROUP_DELAY_SECONDS"] = 0.3
    app.config["REGROUP_FULL_INTERVAL_SECONDS"] = 600
    _post(client, open_stop.code)
    taskqueue.join(app)
    db.session.rollback()
    assert not is_stale(db.session)
    assert full_delays == []  # the first run was a full one: none owed

    clock.now += 0.35
    _post(client, open_stop.code)
    taskqueue.join(app)
    db.session.rollback()
    assert not is_stale(db.session)  # placed: current
    # One full regrouping pending, due when the interval since the last one ends.
    assert len(full_delays) == 1 and 590_000 <= full_delays[0] <= 600_000
