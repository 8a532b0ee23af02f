"""Commands under `flask --app feedback_app` (the `db` group comes from Flask-Migrate)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback_app.cli import export, followup, intake, operations, tally, tour, worker

    app.cli.add_command(tour.stops_cli)
    app.cli.add_command(tour.users_cli)
    app.cli.add_command(tour.demo_command)
    operations.register(app)  # privacy purge, backup create/restore
    export.register(app)  # export xlsx
    app.cli.add_command(worker.worker_command)
    intake.register(app)  # import template, import submissions
    tally.register(app)  # tally check
    followup.register(app)  # commitments import, commitments notify
