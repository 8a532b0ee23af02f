"""Background tasks, run by the task-queue engine (feedback_app/taskqueue.py, Dramatiq).

Defining a task — a module-level function in a module of this package, listed in
`TASK_MODULES` below so that web processes and workers both know it::

    from feedback_app.extensions import db, taskqueue

    @taskqueue.task(queue="default", time_limit_s=600, max_retries=0)
    def regroup_ideas(region_id: int) -> None:
        ...  # runs inside an application context; use db.session and the services

Enqueueing it (inside an application context: a view, a CLI command, another task)::

    from feedback_app.tasks.ideas import regroup_ideas
    from feedback_app.taskqueue import TaskQueueUnavailable

    message_id = regroup_ideas.send(region_id=3)  # JSON arguments only; returns at once
    regroup_ideas.run(region_id=3)                 # or call it now, in this process

Rules:
- Delivery is at-least-once: a worker killed mid-task has the task delivered again, so a task
  must be safe to run twice (write its result under a key, one INSERT or an upsert; a rerun
  finds it and stops). Keep its state in the database, never in a process or on one disk.
- `send` raises `TaskQueueUnavailable` when Redis cannot be reached: answer 503 and store
  nothing half-done.
- With `REDIS_URL` (or `TASKS_BROKER_URL`) set, tasks run in worker processes started with
  `flask --app feedback_app worker [--threads N] [--queue NAME]...`; without it, in threads of
  the web process (development, `make run`).
- Tests: the `app` fixture has no broker URL, so tasks run in-process;
  `taskqueue.join(app)` waits until they are all done.
"""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "feedback_app.tasks.exports",
    "feedback_app.tasks.followup",
    "feedback_app.tasks.grouping",
    "feedback_app.tasks.maintenance",
)

for _module in TASK_MODULES:
    importlib.import_module(_module)
