"""The regional brief as a page: the delegate's region, or any region for HQ (?region=slug)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.followup.forms import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_PLURAL_LABELS, STOP_STATUS_LABELS
from feedback_app.models import ItemKind
from feedback_app.review import bp
from feedback_app.services.review.queries import scope_regions
from feedback_app.services.synthesis import brief as briefs
from feedback_app.services.tour.stop_admin import list_stops


@bp.get("/brief")
@staff_required
def brief() -> ResponseReturnValue:
    scope = current_scope()
    language = current_language()
    data = briefs.region_brief(
        db.session, scope, request.args.get("region") or None, language=language
    )
    regions = scope_regions(db.session, scope)
    # The region's stops with what may be done for each, as on the stops list.
    stops = list_stops(db.session, scope, region_slug=data.slug)
    db.session.rollback()  # end the read transaction
    return render_template(
        "review/brief.html",
        brief=data,
        kinds=[kind.value for kind in ItemKind],
        kind_plurals={k.value: str(v) for k, v in KIND_PLURAL_LABELS.items()},
        regions=[(r.slug, r.name_for(language)) for r in regions],
        commitment_statuses={k.value: str(v) for k, v in COMMITMENT_STATUS_LABELS.items()},
        stops=stops,
        status_labels=STOP_STATUS_LABELS,
    )
