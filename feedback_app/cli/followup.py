"""`flask --app feedback_app commitments import FILE [--dry-run]` and `commitments notify`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from feedback_app.extensions import db
from feedback_app.models import CommitmentNotice, NoticeState
from feedback_app.services.access import EVERYTHING
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.followup.bulk import VALID, apply, preview
from feedback_app.services.intake.refusal import FileRefused

commitments_cli = AppGroup("commitments", help="Commitments: progress reported in a spreadsheet.")


@commitments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the preview only; store nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Status, progress and public reason per commitment (.xlsx, .ods, .csv), with a preview.

    Exits 1 when no row is valid, 2 when the file is refused."""
    try:
        rows = preview(db.session, EVERYTHING, file.read_bytes(), file.name)
    except FileRefused as refused:
        click.echo(f"refused: {refused.message}", err=True)
        sys.exit(2)
    for row in rows:
        detail = "; ".join(row.messages) if row.messages else f"{row.status} {row.progress} %"
        click.echo(f"row {row.line}: {row.state} #{row.commitment_id or '?'} {detail}")
    valid = sum(1 for r in rows if r.state == VALID)
    click.echo(f"{valid} valid, {len(rows) - valid} with errors")
    if not valid:
        sys.exit(1)
    if dry_run:
        return
    try:
        changes = apply(db.session, EVERYTHING, rows, actor_id=None)
    except ValidationFailed as failure:
        click.echo("; ".join(failure.messages()), err=True)
        sys.exit(1)
    _notify(changes)
    click.echo(f"stored: {len(changes)} status change(s)")


@commitments_cli.command("notify")
def notify_command() -> None:
    """Send the follow-up mails still waiting (e.g. after the task queue was unreachable)."""
    from feedback_app.tasks.followup import send_change_notices

    waiting = db.session.scalars(
        db.select(CommitmentNotice.change_id)
        .where(CommitmentNotice.state.in_([NoticeState.PENDING, NoticeState.SENDING]))
        .distinct()
    ).all()
    sent = sum(send_change_notices(change_id) for change_id in sorted(waiting))
    click.echo(f"sent: {sent}")


def _notify(change_ids: list[int]) -> None:
    from feedback_app.taskqueue import TaskQueueUnavailable
    from feedback_app.tasks.followup import send_notices

    try:
        for change_id in change_ids:
            send_notices.send(change_id=change_id)
    except TaskQueueUnavailable:
        click.echo("mails not queued: run `commitments notify` later", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(commitments_cli)
