"""`tally check [--fix]`: the live screen's counts against the rows they count."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import TourStop

tally_cli = AppGroup("tally", help="The live screen's running counts per stop.")


@tally_cli.command("check")
@click.option("--fix", is_flag=True, help="Rewrite the counts from the rows when they differ.")
def check_command(fix: bool) -> None:
    """Recount submissions and items from the rows and report every count that differs.

    Exits 1 when a count differs (and --fix was not given), 0 when all agree or were fixed.
    """
    from feedback_app.services.capture import tally

    found = tally.differences(db.session)
    if not found:
        click.echo("tally check: every stop's counts agree with the rows")
        return
    codes = dict(db.session.execute(select(TourStop.id, TourStop.code)).all())
    for d in found:
        theme = "" if d.theme_key == 0 else f", theme {d.theme_key}"
        click.echo(
            f"stop {d.stop_id} ({codes.get(d.stop_id, '?')}): {d.kind}{theme}: "
            f"counted {d.counted}, rows {d.rows}"
        )
    stops = len({d.stop_id for d in found})
    if not fix:
        click.echo(f"tally check: {len(found)} count(s) differ at {stops} stop(s); --fix rewrites")
        sys.exit(1)
    with write_transaction(db.session):
        tally.recount(db.session, {d.stop_id for d in found})
    click.echo(f"tally check: {len(found)} count(s) at {stops} stop(s) rewritten from the rows")


def register(app: Flask) -> None:
    app.cli.add_command(tally_cli)
