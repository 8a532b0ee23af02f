"""The task-queue engine (Dramatiq), created unbound like the other extensions.

Tasks are declared once, at import time, with `taskqueue.task`; `init_app` gives each
application its own Dramatiq broker and declares every task on it as an actor:

- with a broker URL (`TASKS_BROKER_URL`, else `REDIS_URL`): Dramatiq's Redis broker. Messages
  wait in Redis until a worker process (`flask --app feedback_app worker`) acknowledges them
  *after* the task returned; a worker that dies (SIGKILL, power cut) stops sending heartbeats
  and, `TASKS_HEARTBEAT_TIMEOUT` seconds later, the next worker that polls puts its unfinished
  messages back in the queue (at-least-once: tasks must be safe to run twice);
- without one (`make run` alone): a stub broker served by worker threads inside the web
  process, started on the first message. Nothing survives a restart there, which is what a
  single-machine default can offer.

A task runs inside an application context of the app that owns the broker, with a fresh
`db.session` removed afterwards. See feedback_app/tasks/__init__.py for the API.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.brokers.stub import StubBroker
from flask import Flask, current_app

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
EXTENSION = "taskqueue"


class TaskQueueUnavailable(Exception):
    """The broker cannot be reached: nothing was enqueued."""


@dataclass
class Task:
    """A function that can run in the background: `send(...)` enqueues, `run(...)` calls now."""

    queue: TaskQueue
    fn: Callable[..., None]
    name: str
    queue_name: str
    options: dict[str, Any]

    def send(self, *args: Any, **kwargs: Any) -> str:
        """Enqueue a call (arguments must be JSON values); returns the message id (for
        `is_pending`).

        Raises TaskQueueUnavailable when the broker is down."""
        return self._send(args, kwargs)

    def send_later(self, delay_s: float, **kwargs: Any) -> str:
        """Like `send`, the call running no sooner than `delay_s` seconds from now."""
        return self._send((), kwargs, delay_ms=int(delay_s * 1000))

    def send_debounced(self, interval_s: float) -> str | None:
        """Enqueue one call `interval_s` seconds from now, unless one is already pending.

        At most one call is pending per interval, across every process that shares the
        broker: the first sender takes a Redis key that expires when the call is due (only a
        process-local note without Redis, where the process is the whole deployment). A
        change made once the key has expired, so possibly while the call already runs,
        queues the next one. Each process also remembers when the pending call is due, so
        that most requests skip even the Redis round trip. Returns the message id, or None
        when a call was already pending. Raises TaskQueueUnavailable when the broker is down.
        """
        state = self.queue.state(current_app)
        now = time.monotonic()
        if state.pending_until.get(self.name, 0.0) > now:
            return None
        interval_ms = max(int(interval_s * 1000), 1)
        if isinstance(state.broker, RedisBroker):
            key = f"{state.namespace}:debounce:{self.name}"
            try:
                if not state.broker.client.set(key, "1", nx=True, px=interval_ms):
                    remaining_ms = state.broker.client.pttl(key)
                    state.pending_until[self.name] = now + max(int(remaining_ms), 0) / 1000
                    return None
            except redis.RedisError as error:
                raise TaskQueueUnavailable(str(error)) from error
        state.pending_until[self.name] = now + interval_ms / 1000
        try:
            return self._send((), {}, delay_ms=interval_ms)
        except TaskQueueUnavailable:
            state.pending_until.pop(self.name, None)
            raise

    def _send(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], delay_ms: int | None = None
    ) -> str:
        state = self.queue.state(current_app)
        actor = state.actor(self)
        try:
            message = actor.send_with_options(args=args, kwargs=kwargs, delay=delay_ms)
        except (redis.RedisError, dramatiq.errors.BrokerError) as error:
            raise TaskQueueUnavailable(str(error)) from error
        state.ensure_local_worker()
        # Redis keeps each delivery under an id of its own (a retried message gets a new one):
        # that is the id `is_pending` looks up.
        return str(message.options.get("redis_message_id", message.message_id))

    def is_pending(self, message_id: str) -> bool | None:
        """Whether the broker still holds this message, waiting or being worked on.

        False when Redis lost it (restarted without persistence, flushed): nobody will ever run
        it. None when nobody can tell: the broker is unreachable right now, or tasks run in
        threads of a web process (each process has its own in-memory queue)."""
        broker = self.queue.state(current_app).broker
        if not isinstance(broker, RedisBroker):
            return None
        # Dramatiq keeps a message's body in "<namespace>:<queue>.msgs" from enqueue until the
        # worker acknowledges it, whichever worker's in-flight set holds its id meanwhile.
        key = f"{broker.namespace}:{self.queue_name}.msgs"
        try:
            return bool(broker.client.hexists(key, message_id))
        except redis.RedisError:
            return None

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Call the task synchronously, in the current application context."""
        self.fn(*args, **kwargs)


@dataclass
class _AppState:
    app: Flask
    broker: dramatiq.Broker
    local: bool  # stub broker served by threads of this process
    local_threads: int
    after_task: Callable[[], None]  # e.g. hand back the task's database session
    namespace: str = "tournee-tasks"
    # Task name -> time.monotonic() at which its debounced call is due (send_debounced).
    pending_until: dict[str, float] = field(default_factory=dict)
    actors: dict[str, dramatiq.Actor[Any, Any]] = field(default_factory=dict)
    worker: dramatiq.Worker | None = None
    booted: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def actor(self, task: Task) -> dramatiq.Actor[Any, Any]:
        with self.lock:
            found = self.actors.get(task.name)
            if found is None:
                found = self.actors[task.name] = _declare(self, task)
            return found

    def ensure_local_worker(self) -> None:
        if not self.local or self.worker is not None:
            return
        with self.lock:
            if self.worker is None:
                # Polled every 100 ms: stopping an in-process worker (each test app that ran a
                # task, a development server's reload) waits for its threads' next poll, which
                # took 0.7 s with dramatiq's 500 ms; idle threads wake 10 times a second.
                self.worker = start_worker(self.app, threads=self.local_threads, poll_ms=100)


def _declare(state: _AppState, task: Task) -> dramatiq.Actor[Any, Any]:
    app = state.app

    def in_app_context(*args: Any, **kwargs: Any) -> None:
        with app.app_context():
            try:
                task.fn(*args, **kwargs)
            finally:
                state.after_task()

    in_app_context.__name__ = task.name
    return dramatiq.Actor(
        in_app_context,
        broker=state.broker,
        actor_name=task.name,
        queue_name=task.queue_name,
        priority=0,
        options=task.options,
    )


class TaskQueue:
    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}

    def task(
        self, *, queue: str = DEFAULT_QUEUE, time_limit_s: int = 3600, max_retries: int = 0
    ) -> Callable[[Callable[..., None]], Task]:
        """Declare a background task (a module-level function taking JSON arguments)."""

        def register(fn: Callable[..., None]) -> Task:
            name = f"{fn.__module__}.{fn.__qualname__}"
            options = {"time_limit": time_limit_s * 1000, "max_retries": max_retries}
            task = Task(self, fn, name, queue, options)
            self._tasks[name] = task
            return task

        return register

    @property
    def tasks(self) -> dict[str, Task]:
        return dict(self._tasks)

    def init_app(self, app: Flask, *, after_task: Callable[[], None] = lambda: None) -> None:
        """Give `app` its broker and actors; the tasks are declared (imported) beforehand."""
        url = app.config.get("TASKS_BROKER_URL") or app.config.get("REDIS_URL")
        broker: dramatiq.Broker
        if url:
            timeout_s = float(app.config.get("TASKS_HEARTBEAT_TIMEOUT", 15))
            broker = RedisBroker(
                client=redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10),
                namespace=app.config.get("TASKS_NAMESPACE", "tournee-tasks"),
                heartbeat_timeout=int(timeout_s * 1000),
                # Look for dead workers on every poll (a few Redis commands), so that their
                # messages come back right after the heartbeat timeout, not minutes later.
                maintenance_chance=MAINTENANCE_SCALE,
            )
        else:
            broker = StubBroker()
        state = _AppState(
            app=app,
            broker=broker,
            local=not url,
            local_threads=int(app.config.get("TASKS_LOCAL_THREADS", 2)),
            after_task=after_task,
            namespace=app.config.get("TASKS_NAMESPACE", "tournee-tasks"),
        )
        for task in self._tasks.values():
            state.actor(task)
        app.extensions[EXTENSION] = state

    def state(self, app: Flask) -> _AppState:
        state: _AppState = app.extensions[EXTENSION]
        return state

    def uses_local_worker(self, app: Flask) -> bool:
        return self.state(app).local

    def join(self, app: Flask, timeout_s: float = 120) -> None:
        """Wait until the local worker has nothing left to do (tests, local mode only)."""
        state = self.state(app)
        if not isinstance(state.broker, StubBroker):
            raise RuntimeError("join() only waits for the in-process worker")
        for queue_name in state.broker.get_declared_queues():
            state.broker.join(queue_name, timeout=int(timeout_s * 1000), fail_fast=False)
        if state.worker is not None:
            state.worker.join()

    def shutdown(self, app: Flask) -> None:
        """Stop this app's in-process worker threads, if they were started."""
        state = app.extensions.get(EXTENSION)
        if state is not None and state.worker is not None:
            state.worker.stop(timeout=10_000)
            state.worker = None


def start_worker(
    app: Flask, *, threads: int = 1, queues: set[str] | None = None, poll_ms: int = 500
) -> dramatiq.Worker:
    """Start consuming this app's queues in this process (daemon threads), each thread waiting
    at most `poll_ms` for a message before it looks whether it should stop."""
    state: _AppState = app.extensions[EXTENSION]
    broker = state.broker
    if not state.booted:  # starts the time-limit watcher
        broker.emit_after("process_boot")
        state.booted = True
    worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads, worker_timeout=poll_ms)
    # Hold no more messages than can run at once: the others stay in the queue for an idle
    # worker instead of waiting behind a long build (and, after a kill, for the timeout).
    worker.queue_prefetch = threads
    worker.start()
    return worker
