"""Paper and spreadsheet intake pages of a stop: template, upload, preview, confirm, result.

A delegate works on their regions' stops (any other answers 404, like a missing one); HQ on
every stop. The upload view checks its CSRF token through its form, after raising the request
size limit for this route alone (the app-wide limit is sized for the public form).
"""

from __future__ import annotations

from collections import Counter

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from feedback_app.auth.guards import current_scope, permission_required
from feedback_app.extensions import csrf, db
from feedback_app.hq import bp
from feedback_app.hq.forms import UploadForm
from feedback_app.i18n import current_language
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import ImportBatch, ImportStatus, TourStop
from feedback_app.services.errors import NotFound
from feedback_app.services.intake.batches import (
    build_preview,
    commit_batch,
    contributions_of,
    get_batch,
    save_preview,
)
from feedback_app.services.intake.refusal import FileRefused
from feedback_app.services.intake.template import build_template
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stop_lock import ensure_editable, locked_for
from feedback_app.services.tour.stops import scoped_stop
from feedback_app.web.forms import ActionForm

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Multipart framing and the CSRF field around the file itself.
_BODY_MARGIN = 64 * 1024


def _labelled(form: UploadForm) -> UploadForm:
    form.file.label.text = _("Fichier rempli (.xlsx, .ods ou .csv)")
    form.file.validators[0].message = _("Choisissez un fichier.")
    return form


@bp.get("/stops/<int:stop_id>/intake")
@permission_required(Permission.INTAKE_IMPORT)
def stop_intake(stop_id: int) -> ResponseReturnValue:
    stop = scoped_stop(db.session, current_scope(), stop_id)
    return _upload_page(stop, _labelled(UploadForm(formdata=None)))


def _upload_page(stop: TourStop, form: UploadForm, status: int = 200) -> ResponseReturnValue:
    config = current_app.config
    return render_template(
        "hq/intake.html",
        stop=stop,
        signed_lock=locked_for(db.session, current_scope(), stop.id),
        form=form,
        template_languages=LANGUAGE_CODES,
        max_megabytes=config["INTAKE_MAX_BYTES"] // (1024 * 1024),
        max_rows=config["INTAKE_MAX_ROWS"],
    ), status


@bp.get("/stops/<int:stop_id>/intake/template.xlsx")
@permission_required(Permission.INTAKE_IMPORT)
def stop_intake_template(stop_id: int) -> ResponseReturnValue:
    stop = scoped_stop(db.session, current_scope(), stop_id)
    language = request.args.get("language", current_language())
    language = language if language in LANGUAGE_CODES else "fr"
    data = build_template(
        db.session, stop, language, max_rows=current_app.config["INTAKE_MAX_ROWS"]
    )
    response = current_app.response_class(data, mimetype=_XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tournee-{stop.code}-{language}.xlsx"'
    )
    return response


@bp.post("/stops/<int:stop_id>/intake")
@csrf.exempt  # checked in the view, once the larger size limit is in place
@permission_required(Permission.INTAKE_IMPORT)
def stop_intake_upload(stop_id: int) -> ResponseReturnValue:
    stop = scoped_stop(db.session, current_scope(), stop_id)
    ensure_editable(db.session, current_scope(), [stop.id])  # signed: SignedOff, said why
    max_bytes = current_app.config["INTAKE_MAX_BYTES"]
    request.max_content_length = max_bytes + _BODY_MARGIN
    too_big = _("Fichier trop volumineux : %(max)d Mo au plus.", max=max_bytes // (1024 * 1024))
    try:
        csrf.protect()  # a missing or forged token: 400, like every other form post
        form = _labelled(UploadForm())
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = _labelled(UploadForm(formdata=None))
        form.file.errors = [too_big]
        return _upload_page(stop, form, 413)
    if not valid:
        return _upload_page(stop, form, 422)
    upload = form.file.data
    try:
        preview = build_preview(
            db.session,
            stop,
            upload.read(max_bytes + 1),
            upload.filename or "upload",
            language=current_language(),
            max_bytes=max_bytes,
            max_rows=current_app.config["INTAKE_MAX_ROWS"],
        )
    except FileRefused as refusal:
        form.file.errors = [str(refusal.message)]
        return _upload_page(stop, form, 422)
    batch_id = save_preview(db.session, preview, user_id=current_user.id)
    return redirect(url_for("hq.stop_intake_batch", stop_id=stop.id, batch_id=batch_id))


def _batch(stop_id: int, batch_id: int) -> ImportBatch:
    batch = get_batch(db.session, current_scope(), batch_id)
    if batch.stop_id != stop_id:
        raise NotFound(str(batch_id))
    return batch


@bp.get("/stops/<int:stop_id>/intake/<int:batch_id>")
@permission_required(Permission.INTAKE_IMPORT)
def stop_intake_batch(stop_id: int, batch_id: int) -> ResponseReturnValue:
    """The preview of a pending batch, or the result of a committed one."""
    batch = _batch(stop_id, batch_id)
    return render_template(
        "hq/intake_preview.html",
        stop=batch.stop,
        batch=batch,
        counts=Counter(row["status"] for row in batch.rows),
        contributions=contributions_of(batch.rows),
        pending=batch.status is ImportStatus.PENDING,
        signed_lock=locked_for(db.session, current_scope(), batch.stop_id),
        confirm_form=ActionForm(),
    )


@bp.post("/stops/<int:stop_id>/intake/<int:batch_id>/confirm")
@permission_required(Permission.INTAKE_IMPORT)
def stop_intake_confirm(stop_id: int, batch_id: int) -> ResponseReturnValue:
    _batch(stop_id, batch_id)
    result = commit_batch(db.session, current_scope(), batch_id, actor_id=current_user.id)
    if result.first_time:
        flash(
            ngettext("%(num)d entrée enregistrée.", "%(num)d entrées enregistrées.", result.stored),
            "success",
        )
    else:
        flash(_("Cet import avait déjà été confirmé : rien de plus n'a été enregistré."), "info")
    return redirect(url_for("hq.stop_intake_batch", stop_id=stop_id, batch_id=batch_id))
