"""`flask --app feedback_app export xlsx`: the same workbook HQ downloads, from the shell."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from feedback_app.extensions import db
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import ExportArtifact
from feedback_app.services.access import EVERYTHING
from feedback_app.services.errors import NotFound
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportPlan, ExportRequest
from feedback_app.services.export.store import expire_exports
from feedback_app.services.ideas.groups import refresh_for_export, staleness
from feedback_app.services.synthesis.figures import SynthesisFilters
from feedback_app.tasks.grouping import full_interval

export_cli = AppGroup("export", help="Exports of the synthesis.")


class _Progress:
    """A click progress bar opened once the plan tells the number of rows."""

    def __init__(self) -> None:
        self._total = 1
        self._bar: Any = None
        self._done = 0

    def planned(self, plan: ExportPlan) -> None:
        self._total = max(plan.items, 1)

    def __call__(self, done: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=self._total, label="Export", file=sys.stderr, show_pos=True
            )
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@export_cli.command("xlsx")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the workbook (.xlsx).",
)
@click.option("--region", "regions", multiple=True, help="Region slug (repeat for several).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["new", "reviewed"]),
    help="Only these review statuses (spam is always left out).",
)
@click.option("--language", type=click.Choice(LANGUAGE_CODES), default="fr", show_default=True)
@click.option("--no-contacts", is_flag=True, help="Leave out the contact columns.")
def export_xlsx_command(
    out: str,
    regions: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    statuses: tuple[str, ...],
    language: str,
    no_contacts: bool,
) -> None:
    """Write the Excel synthesis (every region, or the --region ones) to --out."""
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    request = ExportRequest(
        filters=SynthesisFilters(
            region_slugs=tuple(dict.fromkeys(regions)),
            since=since.date() if since else None,
            until=until.date() if until else None,
            statuses=tuple(statuses),
        ),
        language=language,
        include_contacts=not no_contacts,
    )
    progress = _Progress()
    try:
        # The worker's first step, as for a background export.
        refresh_for_export(db.session, full_interval=full_interval())
        _say_what_the_groups_miss()
        result = export_workbook(
            db.session,
            EVERYTHING,
            request,
            actor_id=None,
            generated_by="flask export xlsx",
            keep_days=int(current_app.config["EXPORT_KEEP_DAYS"]),
            tz=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            via="cli",
            on_plan=progress.planned,
            progress=progress,
        )
    except NotFound as error:
        click.echo(f"error: unknown region: {error}", err=True)
        sys.exit(1)
    finally:
        progress.close()
    Path(out).write_bytes(db.session.get_one(ExportArtifact, result.id).content)
    db.session.rollback()
    note = " (unchanged data: cached workbook)" if result.cached else ""
    click.echo(f"{out}: {result.items} items{note}", err=True)


def _say_what_the_groups_miss() -> None:
    """The items the workbook's groups leave out (too many to place: the background
    regrouping's work), so that whoever exports knows the ideas sheet is not the last word."""
    stale = staleness(db.session)
    db.session.rollback()
    if stale is None:
        return
    when = stale.computed_at.isoformat(timespec="minutes") if stale.computed_at else "never"
    count = f"more than {stale.more_than}" if stale.more_than else str(stale.waiting)
    click.echo(
        f"note: idea groups computed {when} UTC; {count} recent entries not grouped yet "
        "(the background regrouping's work)",
        err=True,
    )


@export_cli.command("expire")
def export_expire_command() -> None:
    """Delete stored workbooks past their expiry and finished jobs (run daily)."""
    artifacts, jobs = expire_exports(
        db.session, keep_days=int(current_app.config["EXPORT_KEEP_DAYS"])
    )
    click.echo(f"{artifacts} expired workbooks and {jobs} finished jobs deleted")


def register(app: Flask) -> None:
    app.cli.add_command(export_cli)
