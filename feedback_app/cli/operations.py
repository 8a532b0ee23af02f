"""Operator commands: `privacy purge`, `backup create` and `backup restore`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from feedback_app.extensions import db

privacy_cli = AppGroup("privacy", help="Respondents' personal data (law 09-08).")
backup_cli = AppGroup("backup", help="Back up and restore the database.")


@privacy_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Retention period in days (default: CONTACT_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Erase name, e-mail, phone and consent of submissions older than the retention period."""
    from feedback_app.services.privacy.personal_data import purge_expired_contacts

    if days is None:
        days = int(current_app.config["CONTACT_RETENTION_DAYS"])
    count = purge_expired_contacts(db.session, retention_days=days, dry_run=dry_run)
    if dry_run:
        click.echo(
            f"{count} submissions older than {days} days have contact details to erase "
            "(dry run: nothing changed)"
        )
    else:
        click.echo(f"contact details erased from {count} submissions older than {days} days")


@backup_cli.command("create")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_create_command(out: Path) -> None:
    """Back up the database while the app runs (SQLite backup API, or pg_dump -Fc)."""
    from feedback_app.services.privacy.backup import BackupError, create_backup

    try:
        result = create_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    detail = f", {result.submissions} submissions" if result.submissions is not None else ""
    click.echo(f"{result.backend} backup written to {result.path} ({result.size} bytes{detail})")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content with a backup. Stop the app first."""
    from feedback_app.services.privacy.backup import BackupError, restore_backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace the content of the configured database with {source}?", abort=True)
    db.engine.dispose()  # no pooled connection of ours holds the database meanwhile
    try:
        result = restore_backup(url, source)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    detail = f" ({result.submissions} submissions)" if result.submissions is not None else ""
    click.echo(f"restored {result.backend} database from {source}{detail}")


def register(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_cli)
