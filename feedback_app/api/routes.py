"""JSON endpoints of SPEC.md; every answer, errors included, is JSON (web/errors.py)."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from feedback_app.api import bp
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.locales import localised
from feedback_app.models import SubmissionSource
from feedback_app.services.capture.submissions import submit
from feedback_app.services.errors import StopNotOpen
from feedback_app.services.tour import reference
from feedback_app.services.tour.stops import get_stop_by_code
from feedback_app.web.provenance import claims_tablet, form_source

FORM_CHANNEL_HEADER = "X-Tournee-Channel"


@bp.post("/stops/<code>/submissions")
def create_submission(code: str) -> ResponseReturnValue:
    if not request.is_json:
        abort(415, _("Envoyez du JSON (Content-Type: application/json)."))
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a submission either
        payload = None
    if payload is None:
        abort(400, _("JSON mal formé."))
    # The stop form's offline layer posts here too; it says so, so that the source stays "form".
    from_form = request.headers.get(FORM_CHANNEL_HEADER) == "form"
    receipt = submit(
        db.session,
        code,
        payload,
        source=_source(code, from_form),
        default_language=current_language(),
    )
    return jsonify(receipt.as_json()), 201 if receipt.created else 200


@bp.get("/stops/<code>")
def describe_stop(code: str) -> ResponseReturnValue:
    stop = get_stop_by_code(db.session, code)
    if not stop.is_open:
        raise StopNotOpen(stop.status.value)
    language = current_language()
    region = stop.region
    return jsonify(
        {
            "code": stop.code,
            "status": stop.status.value,
            "region": {
                "slug": region.slug,
                "name": region.name_for(language),
                **{column: getattr(region, column) for column in localised("name")},
            },
            "city": stop.city_for(language),
            "venue": stop.venue_for(language),
            "date": stop.date.isoformat(),
            "categories": [c.__dict__ for c in reference.categories(db.session, language)],
            "themes": [t.__dict__ for t in reference.active_themes(db.session, language)],
            "kinds": [k.__dict__ for k in reference.kinds()],
            "priorities": [p.__dict__ for p in reference.priorities()],
        }
    )


def _source(code: str, from_form: bool) -> SubmissionSource:
    """The tablet page's offline queue posts with ?channel=tablet: believed from staff only."""
    if not from_form:
        return SubmissionSource.API
    if not claims_tablet():
        return SubmissionSource.FORM
    return form_source(get_stop_by_code(db.session, code).region_id)
