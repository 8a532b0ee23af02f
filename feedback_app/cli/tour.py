"""Running the tour from the command line: stops, staff accounts and the demonstration."""

from __future__ import annotations

import datetime as dt
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from feedback_app.extensions import db
from feedback_app.models import Role, StopStatus
from feedback_app.services.errors import DomainError, ValidationFailed

stops_cli = AppGroup("stops", help="Tour stops.")
users_cli = AppGroup("users", help="Staff accounts.")


def _fail(error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        for field, messages in error.as_text().items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(1)


def local_base_url() -> str:
    """Where `flask run` / `make run` listens, from the same settings they read."""
    host = os.environ.get("FLASK_RUN_HOST") or os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("FLASK_RUN_PORT") or os.environ.get("PORT") or "5000"
    return f"http://{host}:{port}"


def public_form_url(code: str) -> str:
    """The address to print: PUBLIC_BASE_URL, else the local server's (with a warning once)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        base = local_base_url()
        if not current_app.extensions.get("tournee_base_url_warned"):
            current_app.extensions["tournee_base_url_warned"] = True
            click.echo(
                f"warning: PUBLIC_BASE_URL is not set; printing {base} (the local "
                "server's address, from FLASK_RUN_HOST/FLASK_RUN_PORT or HOST/PORT). "
                "Set PUBLIC_BASE_URL to the address phones will reach.",
                err=True,
            )
    return f"{base.rstrip('/')}/f/{code}"


@stops_cli.command("create")
@click.option("--region", "region_slug", required=True, help="Region slug, e.g. marrakech-safi.")
@click.option("--city", required=True)
@click.option("--date", "date_", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--venue", default=None)
@click.option("--open", "open_", is_flag=True, help="Open the stop for submissions now.")
def create_stop_command(
    region_slug: str, city: str, date_: dt.datetime, venue: str | None, open_: bool
) -> None:
    """Create a stop and print its public code."""
    from feedback_app.services.tour.stops import create_stop

    try:
        stop = create_stop(
            db.session,
            region_slug=region_slug,
            city=city,
            date=date_.date(),
            venue=venue,
            status=StopStatus.OPEN if open_ else StopStatus.PLANNED,
        )
    except DomainError as error:
        _fail(error)
    click.echo(stop.code)
    click.echo(public_form_url(stop.code), err=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--region", "regions", multiple=True, help="Region slug (repeat for several).")
@click.option("--name", default="")
def create_user_command(email: str, role: str, regions: tuple[str, ...], name: str) -> None:
    """Create a staff account; the password comes from standard input or a prompt."""
    from feedback_app.services.accounts.users import create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            db.session,
            email=email,
            role=Role(role),
            region_slugs=list(regions),
            name=name,
            password=password,
        )
    except DomainError as error:
        _fail(error)
    click.echo(f"created {user.role.value} {user.email}")


@click.command("demo")
@click.option("--submissions", default=360, show_default=True, help="How many submissions.")
@click.option("--seed", default=2025, show_default=True)
def demo_command(submissions: int, seed: int) -> None:
    """Load a realistic demonstration tour: a stop in each region and submissions."""
    from feedback_app.demo.tour import load_demo

    summary = load_demo(db.session, submissions=submissions, seed=seed)
    click.echo(f"{summary.stops} stops, {summary.submissions} submissions, {summary.items} items")
    for code, city in summary.open_stops:
        click.echo(f"open: {city} {public_form_url(code)}")
