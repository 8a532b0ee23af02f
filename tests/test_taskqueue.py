"""The task-queue engine: in-process without a broker, 503-worthy error when Redis is down."""

from __future__ import annotations

import threading

import pytest
from flask import current_app, has_app_context

from feedback_app import create_app
from feedback_app.extensions import taskqueue
from feedback_app.taskqueue import TaskQueueUnavailable

_seen: list[tuple[int, bool, str]] = []
_done = threading.Event()


@taskqueue.task(queue="test-engine")
def record_call(value: int) -> None:
    _seen.append((value, has_app_context(), current_app.config["SQLALCHEMY_DATABASE_URI"]))
    _done.set()


def test_without_a_broker_a_task_runs_in_a_thread_of_the_app(app) -> None:
    _seen.clear()
    message_id = record_call.send(value=7)
    assert message_id
    taskqueue.join(app)
    assert _seen == [(7, True, app.config["SQLALCHEMY_DATABASE_URI"])]
    taskqueue.shutdown(app)


def test_a_broker_that_is_down_is_reported_not_hidden(tmp_path) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        }
    )
    with app.app_context(), pytest.raises(TaskQueueUnavailable):
        record_call.send(value=1)


def test_the_worker_command_needs_a_broker(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
