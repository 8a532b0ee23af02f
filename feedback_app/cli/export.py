"""`flask --app feedback_app export xlsx`: the same workbook HQ downloads, from the shell."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from feedback_app.extensions import db
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.services.access import EVERYTHING
from feedback_app.services.errors import NotFound
from feedback_app.services.export_files import (
    ExportRequest,
    audit_export,
    exports_dir,
    produce,
)
from feedback_app.services.synthesis import SynthesisFilters

export_cli = AppGroup("export", help="Exports of the synthesis.")


class _Progress:
    """A click progress bar opened once the number of rows is known."""

    def __init__(self, total: list[int]) -> None:
        self._total = total
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=max(self._total[0] if self._total else 0, 1),
                                          label="Export", file=sys.stderr, show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@export_cli.command("xlsx")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the workbook (.xlsx).")
@click.option("--region", "regions", multiple=True, help="Region slug (repeat for several).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--status", "statuses", multiple=True, type=click.Choice(["new", "reviewed"]),
              help="Only these review statuses (spam is always left out).")
@click.option("--language", type=click.Choice(LANGUAGE_CODES), default="fr", show_default=True)
@click.option("--no-contacts", is_flag=True, help="Leave out the contact columns.")
def export_xlsx_command(out: str, regions: tuple[str, ...], since: dt.datetime | None,
                        until: dt.datetime | None, statuses: tuple[str, ...], language: str,
                        no_contacts: bool) -> None:
    """Write the Excel synthesis (every region, or the --region ones) to --out."""
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    request = ExportRequest(
        filters=SynthesisFilters(region_slugs=tuple(dict.fromkeys(regions)),
                                 since=since.date() if since else None,
                                 until=until.date() if until else None,
                                 statuses=tuple(statuses)),
        language=language,
        include_contacts=not no_contacts,
    )
    total: list[int] = []
    progress = _Progress(total)
    directory = exports_dir(current_app.config, current_app.instance_path)
    try:
        result = produce(db.session, EVERYTHING, request, directory=directory,
                         generated_by="flask export xlsx", progress=progress, total=total,
                         tz=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except NotFound as error:
        click.echo(f"error: unknown region: {error}", err=True)
        sys.exit(1)
    finally:
        progress.close()
    shutil.copyfile(result.path, out)
    audit_export(db.session, EVERYTHING, request, actor_id=None, result=result, via="cli")
    note = " (unchanged data: cached workbook)" if result.cached else ""
    click.echo(f"{out}: {result.items} items{note}", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(export_cli)
