"""`flask --app feedback_app worker`: run background tasks until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click
from flask import current_app

from feedback_app.extensions import taskqueue
from feedback_app.taskqueue import start_worker


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Tasks run at once by this process (workbook builds use one core each: "
    "prefer one worker process per core).",
)
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: all).")
def worker_command(threads: int, queues: tuple[str, ...]) -> None:
    """Run background tasks (exports, purges) from the Redis broker."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if taskqueue.uses_local_worker(app):
        raise click.UsageError(
            "set REDIS_URL (or TASKS_BROKER_URL): without a broker, tasks "
            "run inside the web process and need no worker"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    worker = start_worker(app, threads=threads, queues=set(queues) or None)
    click.echo(f"worker: {threads} thread(s), queues: {', '.join(queues) or 'all'}", err=True)
    stop.wait()
    click.echo("worker: stopping (tasks in progress finish first)", err=True)
    worker.stop()
