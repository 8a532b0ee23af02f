"""JSON endpoints of SPEC.md; every answer, errors included, is JSON."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from feedback_app.api import bp
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.models import SubmissionSource
from feedback_app.services import reference
from feedback_app.services.errors import ClientIdTaken, NotFound, StopNotOpen, ValidationFailed
from feedback_app.services.stops import get_stop_by_code
from feedback_app.services.submissions import submit
from feedback_app.web.errors import client_id_taken_message, http_message

FORM_CHANNEL_HEADER = "X-Tournee-Channel"


def error_response(http_status: int, message: str, **extra: object):  # type: ignore[no-untyped-def]
    # Not named `status`: the 409 answer carries a "status" field of its own.
    return jsonify({"error": message, **extra}), http_status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    return error_response(exc.code or 500, http_message(exc))


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound):  # type: ignore[no-untyped-def]
    return error_response(404, _("Étape introuvable."))


@bp.errorhandler(StopNotOpen)
def _not_open(exc: StopNotOpen):  # type: ignore[no-untyped-def]
    message = _("Cette étape n'accepte pas de contributions.")
    return error_response(409, message, status=exc.status)


@bp.errorhandler(ClientIdTaken)
def _client_id_taken(_exc: ClientIdTaken):  # type: ignore[no-untyped-def]
    return error_response(409, client_id_taken_message())


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed):  # type: ignore[no-untyped-def]
    return error_response(422, _("Données invalides."), errors=exc.as_text())


@bp.post("/stops/<code>/submissions")
def create_submission(code: str):  # type: ignore[no-untyped-def]
    if not request.is_json:
        return error_response(415, _("Envoyez du JSON (Content-Type: application/json)."))
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a submission either
        payload = None
    if payload is None:
        return error_response(400, _("JSON mal formé."))
    # The stop form's offline layer posts here too; it says so, so that the source stays "form".
    from_form = request.headers.get(FORM_CHANNEL_HEADER) == "form"
    receipt = submit(
        db.session, code, payload,
        source=SubmissionSource.FORM if from_form else SubmissionSource.API,
        default_language=current_language(),
    )
    return jsonify(receipt.as_json()), 201 if receipt.created else 200


@bp.get("/stops/<code>")
def describe_stop(code: str):  # type: ignore[no-untyped-def]
    stop = get_stop_by_code(db.session, code)
    if not stop.is_open:
        raise StopNotOpen(stop.status.value)
    language = current_language()
    region = stop.region
    return jsonify(
        {
            "code": stop.code,
            "status": stop.status.value,
            "region": {"slug": region.slug, "name": region.name_for(language),
                       "name_fr": region.name_fr, "name_ar": region.name_ar},
            "city": stop.city,
            "venue": stop.venue,
            "date": stop.date.isoformat(),
            "categories": [c.__dict__ for c in reference.categories(db.session, language)],
            "themes": [t.__dict__ for t in reference.active_themes(db.session, language)],
            "kinds": [k.__dict__ for k in reference.kinds()],
            "priorities": [p.__dict__ for p in reference.priorities()],
        }
    )
