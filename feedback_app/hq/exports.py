"""Excel exports for HQ (any regions) and delegates (their own regions only).

The download is a POST with a CSRF token; the workbook comes back as an attachment, or, when it
is large and not cached yet, as a background job with a progress page.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp, export_jobs
from feedback_app.hq.export_forms import ExportForm
from feedback_app.i18n import current_language
from feedback_app.models import TourStop
from feedback_app.services import reference
from feedback_app.services.errors import NotFound
from feedback_app.services.export_files import (
    ExportFile,
    ExportRequest,
    audit_export,
    exports_dir,
    lookup,
    produce,
)
from feedback_app.services.synthesis import SynthesisFilters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Above this many rows a workbook is built in the background (a few seconds of work).
DEFAULT_BACKGROUND_ABOVE = 20_000


def _directory() -> Path:
    return exports_dir(current_app.config, current_app.instance_path)


def _tz() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"


def _who() -> str:
    name = (current_user.name or "").strip()
    return f"{name} <{current_user.email}>" if name else current_user.email


def _set_choices(form: ExportForm) -> None:
    language = current_language()
    scope = current_scope()
    regions = [r for r in reference.regions(db.session) if scope.allows(r.id)]
    form.regions.choices = [(r.slug, r.name_for(language)) for r in regions]
    names = {r.id: r.name_for(language) for r in regions}
    stops = db.session.scalars(
        select(TourStop).where(scope.filter(TourStop.region_id))
        .order_by(TourStop.date, TourStop.city)
    ).all()
    form.stops.choices = [
        (str(s.id), f"{s.city} — {s.date.strftime('%d/%m/%Y')} ({names.get(s.region_id, '')})")
        for s in stops
    ]


def _request_from(form: ExportForm) -> ExportRequest:
    return ExportRequest(
        filters=SynthesisFilters(
            region_slugs=tuple(dict.fromkeys(form.regions.data or [])),
            stop_ids=tuple(sorted({int(v) for v in form.stops.data or []})),
            since=form.since.data,
            until=form.until.data,
            statuses=tuple(sorted(set(form.statuses.data or []) & {"new", "reviewed"})),
        ),
        language=form.language.data if form.language.data in ("fr", "ar", "en") else "fr",
        include_contacts=bool(form.contacts.data),
    )


def _attachment(result: ExportFile) -> Response:
    response = send_file(result.path, mimetype=XLSX, as_attachment=True,
                         download_name=result.filename, conditional=False, etag=False,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/exports", methods=["GET", "POST"])
@staff_required
def exports():  # type: ignore[no-untyped-def]
    form = ExportForm()
    _set_choices(form)
    if not form.is_submitted() and current_language() in ("fr", "ar", "en"):
        form.language.data = current_language()  # the workbook speaks the reader's language
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() and form.errors else 200
        return render_template("hq/exports.html", form=form), status

    scope, request_ = current_scope(), _request_from(form)
    directory = _directory()
    try:
        found = lookup(db.session, scope, request_, directory=directory, tz=_tz())
        threshold = current_app.config.get("EXPORT_BACKGROUND_ABOVE", DEFAULT_BACKGROUND_ABOVE)
        if found.cached is None and found.items > threshold:
            job_id = export_jobs.start(
                current_app._get_current_object(), scope, request_, directory=directory,
                user_id=current_user.id, generated_by=_who(), total=found.items, tz=_tz())
            audit_export(db.session, scope, request_, actor_id=current_user.id, job=job_id)
            return redirect(url_for("hq.export_job", job_id=job_id), 303)
        result = found.cached or produce(db.session, scope, request_, directory=directory,
                                         generated_by=_who(), tz=_tz())
    except NotFound:
        abort(404)
    audit_export(db.session, scope, request_, actor_id=current_user.id, result=result)
    return _attachment(result)


def _job_or_404(job_id: str) -> dict:
    status = export_jobs.read(_directory(), job_id, current_user.id)
    if status is None:
        abort(404)
    return status


@bp.get("/exports/jobs/<job_id>")
@staff_required
def export_job(job_id: str):  # type: ignore[no-untyped-def]
    status = _job_or_404(job_id)
    return render_template("hq/export_job.html", job_id=job_id, status=status)


@bp.get("/exports/jobs/<job_id>/status")
@staff_required
def export_job_status(job_id: str):  # type: ignore[no-untyped-def]
    status = _job_or_404(job_id)
    body = {"state": status["state"], "done": status.get("done", 0),
            "total": status.get("total", 0)}
    if status["state"] == "done":
        body["download"] = url_for("hq.export_job_file", job_id=job_id)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/jobs/<job_id>/file")
@staff_required
def export_job_file(job_id: str):  # type: ignore[no-untyped-def]
    # A GET is fine here: the job was started (and audited) by the owner's POST; the id is
    # unguessable and only its owner can read it.
    status = _job_or_404(job_id)
    if status["state"] != "done":
        return redirect(url_for("hq.export_job", job_id=job_id))
    path = _directory() / status["file"]
    return _attachment(ExportFile(path=path, filename=status["filename"],
                                  items=status.get("done", 0), cached=True))
