""" "Exporter cette liste": the review list, exactly as filtered, as a CSV or an .xlsx file.

The filters are read by the list's own code (review/filtering.py) and become the list's own SQL
(services/review/filters.py); a filter the page would flag answers the page with its messages
(422) rather than a broader file. Both files are streamed with flat memory (rows read in chunks,
the .xlsx written in constant-memory mode to a private temporary folder). A list too large to
write within the request (an .xlsx above EXPORT_BACKGROUND_ABOVE entries, a CSV above
EXPORT_LIST_CSV_BACKGROUND_ABOVE) goes to the workbook's job system: same per-user cap, same
job page, the same file written by the worker from the same request (services/export/
review_list.py `ListRequest`), audited when asked for, as a direct download is.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectField

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.exports.selection import csv_chunks
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import LIST_COLUMNS
from feedback_app.locales import join_list, word
from feedback_app.locales import language as language_info
from feedback_app.review import bp
from feedback_app.review.filtering import GROUP_KEY, FilterState, read_filters
from feedback_app.review.forms import NO_THEME
from feedback_app.review.routes import list_page
from feedback_app.services.access import Scope
from feedback_app.services.export.jobs import TooManyJobs, start_job
from feedback_app.services.export.review_list import (
    ListRequest,
    count_entries,
    record_export,
    stream_entries,
    write_list,
)
from feedback_app.services.permissions import Permission
from feedback_app.taskqueue import TaskQueueUnavailable
from feedback_app.tasks.exports import build_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@bp.get("/export.csv")
@staff_required
def export_csv() -> ResponseReturnValue:
    return _export("csv")


@bp.get("/export.xlsx")
@staff_required
def export_xlsx() -> ResponseReturnValue:
    return _export("xlsx")


def _export(file_format: str) -> ResponseReturnValue:
    scope = current_scope()
    state = read_filters(scope)
    if state.form.errors:
        return list_page(scope, state), 422
    contacts = request.args.get("contacts") == "1"
    if contacts:
        scope.ensure(Permission.EXPORTS_CONTACTS)  # an observer: 403, before anything is read
    language = current_language()
    config = current_app.config
    tz = str(config["BABEL_DEFAULT_TIMEZONE"])
    now = dt.datetime.now(ZoneInfo(tz))
    described = describe(state)
    entries = count_entries(db.session, scope, state.filters)
    spec = ListRequest(
        filters=state.filters,
        file_format=file_format,
        language=language,
        include_contacts=contacts,
        filename=file_name(state, now, file_format),
        title=_("Contributions — liste filtrée"),
        header=tuple(_header(scope, state, described, entries, contacts, now)),
        titles=tuple((code, word(words, language)) for code, words in LIST_COLUMNS.items()),
        rtl=language_info(language).rtl,
    )
    above = (
        config["EXPORT_BACKGROUND_ABOVE"]
        if file_format == "xlsx"
        else config["EXPORT_LIST_CSV_BACKGROUND_ABOVE"]
    )
    if entries > int(above):
        # Too long to write within the request (gunicorn stops a worker silent for 30 s):
        # the workbook's job system builds it; the job page offers the file when ready.
        return _start_job(scope, state, spec, described, entries)
    _audit(scope, state, spec, described, entries)
    rows = stream_entries(
        db.session, scope, state.filters, language=language, include_contacts=contacts, tz=tz
    )
    if file_format == "csv":
        body = stream_with_context(csv_chunks(rows, include_contacts=contacts))
        response = Response(body, content_type="text/csv; charset=utf-8")
    else:
        private = tempfile.mkdtemp(prefix="tournee-list-")
        path = Path(private) / "list.xlsx"
        try:
            write_list(rows, spec, path, tmpdir=private)
        except BaseException:
            shutil.rmtree(private, ignore_errors=True)
            raise
        response = Response(_read_then_remove(path), mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=spec.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def _audit(
    scope: Scope,
    state: FilterState,
    spec: ListRequest,
    described: dict[str, str],
    entries: int,
    job: str | None = None,
) -> None:
    record_export(
        db.session,
        scope,
        state.filters,
        actor_id=current_user.id,
        described=described,
        file_format=spec.file_format,
        filename=spec.filename,
        entries=entries,
        include_contacts=spec.include_contacts,
        language=spec.language,
        job=job,
    )


def _start_job(
    scope: Scope,
    state: FilterState,
    spec: ListRequest,
    described: dict[str, str],
    entries: int,
) -> ResponseReturnValue:
    config = current_app.config
    back: dict[str, Any] = dict(state.kept)
    name = (current_user.name or "").strip()
    try:
        job_id = start_job(
            db.session,
            scope,
            spec,
            owner_id=current_user.id,
            generated_by=f"{name} <{current_user.email}>" if name else current_user.email,
            tz=str(config["BABEL_DEFAULT_TIMEZONE"]),
            total=entries,
            limit=int(config["EXPORT_JOBS_PER_USER"]),
            enqueue=lambda job: build_export.send(job_id=job),
            is_pending=build_export.is_pending,
        )
    except TooManyJobs as error:
        flash(str(error.message), "error")
        return redirect(url_for("review.index", **back))
    except TaskQueueUnavailable:
        flash(
            _(
                "La préparation des gros fichiers est indisponible pour le moment. "
                "Réessayez dans quelques minutes ou resserrez les filtres."
            ),
            "error",
        )
        return redirect(url_for("review.index", **back))
    _audit(scope, state, spec, described, entries, job=job_id)
    return redirect(url_for("hq.export_job", job_id=job_id), 303)


def _read_then_remove(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(64 * 1024):
                yield chunk
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def describe(state: FilterState) -> dict[str, str]:
    """The filters as the reader chose them: field label -> value as the page shows it."""
    form, described = state.form, {}
    for name, raw in state.kept.items():
        if name == GROUP_KEY:
            if state.filters.group_id is not None:
                described[_("Idée récurrente")] = f"n° {state.filters.group_id}"
            continue
        field = form[name]
        value = raw
        if isinstance(field, SelectField):
            value = str(dict((str(k), v) for k, v, *_rest in field.iter_choices()).get(raw, raw))
        described[str(field.label.text)] = value
    return described


def _header(
    scope: Scope,
    state: FilterState,
    described: dict[str, str],
    entries: int,
    contacts: bool,
    now: dt.datetime,
) -> list[tuple[str, str]]:
    language = current_language()
    regions = state.lists["regions"]
    where = (
        _("Toutes les régions")
        if scope.is_everything
        else join_list((r.name_for(language) for r in regions), language)
    )
    name = (current_user.name or "").strip()
    return [
        (
            _("Filtre"),
            " ; ".join(f"{label} : {value}" for label, value in described.items())
            or _("Aucun filtre"),
        ),
        (_("Régions du lecteur"), where),
        (_("Entrées"), str(entries)),
        (_("Coordonnées"), _("incluses (avec consentement)") if contacts else _("non incluses")),
        (_("Exporté par"), f"{name} <{current_user.email}>" if name else current_user.email),
        (_("Exporté le"), now.strftime("%Y-%m-%d %H:%M")),
    ]


def _slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def file_name(state: FilterState, now: dt.datetime, file_format: str) -> str:
    """A name that states the filter: contributions-marrakech-safi-challenge-retenus-….csv."""
    regions = {str(r.id): r.slug for r in state.lists["regions"]}
    themes = {str(t.id): t.code for t in state.lists["themes"]}
    parts = ["contributions"]
    for name, raw in state.kept.items():
        if name == "region":
            parts.append(regions.get(raw, raw))
        elif name == "theme":
            parts.append("sans-theme" if raw == NO_THEME else themes.get(raw, raw))
        elif name == "stop":
            parts.append(f"etape-{raw}")
        elif name == "shortlisted":
            parts.append("retenus" if raw == "1" else "non-retenus")
        elif name == "date_from":
            parts.append(f"du-{raw}")
        elif name == "date_to":
            parts.append(f"au-{raw}")
        elif name == "q":
            parts.append("recherche-" + (_slug(raw)[:40] or "texte"))
        elif name == GROUP_KEY:
            parts.append(f"groupe-{_slug(raw)}")
        else:
            parts.append(_slug(raw))
    parts.append(now.strftime("%Y%m%d-%H%M"))
    return "-".join(p for p in parts if p) + "." + file_format
