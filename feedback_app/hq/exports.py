"""Excel exports for HQ (any regions) and delegates (their own regions only).

The download is a POST with a CSRF token; the workbook comes back as an attachment, or, when it
is large and not stored yet, as a background job (task queue) with a progress page. Workbooks
and jobs live in the database, so any web host answers for any of them; each download checks
the reader's *current* role and regions.
"""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import ExportForm
from feedback_app.i18n import current_language
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import TourStop
from feedback_app.services.export.brief_pdf import BRIEF_PDF
from feedback_app.services.export.build import estimate_export, export_workbook
from feedback_app.services.export.jobs import TooManyJobs, job_status, start_job
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.export.store import artifact_for_download
from feedback_app.services.synthesis.figures import SynthesisFilters
from feedback_app.services.tour import reference
from feedback_app.taskqueue import TaskQueueUnavailable
from feedback_app.tasks.exports import build_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"  # a region brief (review/brief.py), through the same jobs
_MIMETYPES = ((".pdf", PDF), (".csv", "text/csv"))


def _tz() -> str:
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


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
        select(TourStop)
        .where(scope.filter(TourStop.region_id))
        .order_by(TourStop.date, TourStop.city)
    ).all()
    form.stops.choices = [
        (
            str(s.id),
            f"{s.city_for(language)} — {s.date:%d/%m/%Y} ({names.get(s.region_id, '')})",
        )
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
        language=form.language.data if form.language.data in LANGUAGE_CODES else "fr",
        include_contacts=bool(form.contacts.data),
    )


def _attachment(artifact_id: int | None) -> Response:
    artifact, content = artifact_for_download(db.session, current_user, artifact_id)
    # A job builds the workbook, the PDF brief or a filtered review list (.xlsx or .csv).
    mimetype = next(
        (kind for suffix, kind in _MIMETYPES if artifact.filename.endswith(suffix)), XLSX
    )
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={artifact.filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_page(form: ExportForm, status: int, problem: str | None = None) -> ResponseReturnValue:
    return render_template("hq/exports.html", form=form, problem=problem), status


@bp.route("/exports", methods=["GET", "POST"])
@staff_required
def exports() -> ResponseReturnValue:
    form = ExportForm()
    _set_choices(form)
    if not form.is_submitted() and current_language() in LANGUAGE_CODES:
        form.language.data = current_language()  # the workbook speaks the reader's language
    if not form.validate_on_submit():
        return _form_page(form, 422 if form.is_submitted() and form.errors else 200)

    config = current_app.config
    scope, request_ = current_scope(), _request_from(form)
    estimate = estimate_export(db.session, scope, request_, tz=_tz())
    if estimate.cached or estimate.items <= int(config["EXPORT_BACKGROUND_ABOVE"]):
        artifact = export_workbook(
            db.session,
            scope,
            request_,
            actor_id=current_user.id,
            generated_by=_who(),
            keep_days=int(config["EXPORT_KEEP_DAYS"]),
            tz=_tz(),
        )
        return _attachment(artifact.id)
    try:
        job_id = start_job(
            db.session,
            scope,
            request_,
            owner_id=current_user.id,
            generated_by=_who(),
            tz=_tz(),
            total=estimate.items,
            limit=int(config["EXPORT_JOBS_PER_USER"]),
            enqueue=lambda job: build_export.send(job_id=job),
            is_pending=build_export.is_pending,
        )
    except TooManyJobs as error:
        return _form_page(form, 429, str(error.message))
    except TaskQueueUnavailable:
        return _form_page(
            form,
            503,
            _(
                "La préparation des gros classeurs est indisponible pour "
                "le moment. Réessayez dans quelques minutes ; les "
                "contributions continuent d'être enregistrées."
            ),
        )
    return redirect(url_for("hq.export_job", job_id=job_id), 303)


@bp.get("/exports/jobs/<job_id>")
@staff_required
def export_job(job_id: str) -> ResponseReturnValue:
    status = job_status(db.session, job_id, current_user, build_export.is_pending)
    return render_template(
        "hq/export_job.html", job_id=job_id, status=status, pdf=status.kind == BRIEF_PDF
    )


@bp.get("/exports/jobs/<job_id>/status")
@staff_required
def export_job_status(job_id: str) -> ResponseReturnValue:
    status = job_status(db.session, job_id, current_user, build_export.is_pending)
    body: dict[str, object] = {
        "state": status.state,
        "done": status.done,
        "total": status.total,
        "position": status.position,
        "failure": status.failure,
    }
    if status.state == "done":
        body["download"] = url_for("hq.export_job_file", job_id=job_id)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/jobs/<job_id>/file")
@staff_required
def export_job_file(job_id: str) -> ResponseReturnValue:
    # A GET is fine here: the job was started (and audited) by the owner's POST; the id is
    # unguessable and only its owner, within their current regions, can read it.
    status = job_status(db.session, job_id, current_user, build_export.is_pending)
    if status.state in ("queued", "running"):
        return redirect(url_for("hq.export_job", job_id=job_id))
    return _attachment(status.artifact_id)
