"""`flask --app feedback_app import template|submissions`: intake from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from feedback_app.extensions import db
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import TourStop
from feedback_app.services.access import EVERYTHING
from feedback_app.services.errors import NotFound
from feedback_app.services.intake.batches import Preview, build_preview, commit_batch, save_preview
from feedback_app.services.intake.refusal import FileRefused
from feedback_app.services.intake.rows import VALID
from feedback_app.services.intake.template import build_template
from feedback_app.services.tour.stops import get_stop_by_code

import_cli = AppGroup("import", help="Paper and spreadsheet intake.")


@import_cli.command("template")
@click.option("--stop", "stop_code", required=True, help="The stop's code.")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--language", type=click.Choice(LANGUAGE_CODES), default="fr", show_default=True)
def template_command(stop_code: str, out: str, language: str) -> None:
    """Write the stop's intake template (.xlsx) to --out."""
    stop = _stop(stop_code)
    data = build_template(
        db.session, stop, language, max_rows=current_app.config["INTAKE_MAX_ROWS"]
    )
    Path(out).write_bytes(data)
    click.echo(f"{out}: template for {stop.city} ({stop.code})", err=True)


@import_cli.command("submissions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--stop", "stop_code", required=True, help="The stop's code.")
@click.option("--dry-run", is_flag=True, help="Print the preview and store nothing.")
@click.option(
    "--language",
    type=click.Choice(LANGUAGE_CODES),
    default="fr",
    show_default=True,
    help="Language of the preview's messages and of the stored submissions.",
)
def submissions_command(file: str, stop_code: str, dry_run: bool, language: str) -> None:
    """Preview FILE (.xlsx, .ods, .csv) for the stop and, unless --dry-run, store its rows."""
    stop = _stop(stop_code)
    path = Path(file)
    try:
        preview = build_preview(
            db.session,
            stop,
            path.read_bytes(),
            path.name,
            language=language,
            max_bytes=current_app.config["INTAKE_MAX_BYTES"],
            max_rows=current_app.config["INTAKE_MAX_ROWS"],
        )
    except FileRefused as refusal:
        click.echo(f"error: {refusal.message}", err=True)
        sys.exit(2)
    click.echo(preview_text(preview))
    if not preview.counts[VALID]:
        click.echo("nothing to store", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("dry run: nothing stored", err=True)
        return
    batch_id = save_preview(db.session, preview, user_id=None)
    result = commit_batch(db.session, EVERYTHING, batch_id, actor_id=None)
    click.echo(
        f"stored: {result.stored}, duplicates: {result.duplicates}, "
        f"errors: {result.errors} (import batch {batch_id})"
    )


def preview_text(preview: Preview) -> str:
    """One line per row (row number, outcome, column: message), then the counts."""
    lines = []
    if preview.already_imported:
        lines.append("note: this file was already imported at this stop")
    for row in preview.rows:
        detail = [f"{e['column']}: {e['message']}" for e in row["errors"]] + row["notes"]
        label = f"{row['organisation'][:40]} | {row['text'][:50]}".replace("\n", " ")
        lines.append(
            f"row {row['row']}: {row['status']} | {label}" + ("".join(f"\n    {d}" for d in detail))
        )
    counts = preview.counts
    lines.append(
        ", ".join(
            f"{status}: {counts[status]}" for status in ("valid", "duplicate", "error", "example")
        )
    )
    return "\n".join(lines)


def _stop(code: str) -> TourStop:
    try:
        return get_stop_by_code(db.session, code)
    except NotFound:
        click.echo(f"error: unknown stop: {code}", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(import_cli)
