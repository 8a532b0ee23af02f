"""The national map of recurring ideas (/hq/ideas/map), for HQ and the observers.

Rows are idea groups, columns the regions they were heard in, cells the distinct
organisations there; a region that says an idea markedly more than the nation is marked
(services/synthesis/idea_map.py). A regional observer's map covers their regions only. The
workbook's "Carte des idées" sheet is the same map, complete.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue

from feedback_app.auth.guards import current_scope, permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_LABELS
from feedback_app.services.permissions import Permission
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve
from feedback_app.services.synthesis.idea_map import LIFT_MARK, idea_map
from feedback_app.tasks.grouping import groups_as_they_are

PAGE_ROWS = 200  # the page's; the workbook's sheet has every group


@bp.get("/ideas/map")
@permission_required(Permission.IDEAS_MAP)
def ideas_map() -> ResponseReturnValue:
    stale = groups_as_they_are()
    sel = resolve(
        db.session,
        current_scope(),
        SynthesisFilters(),
        language=current_language(),
        tz=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    found = idea_map(db.session, sel, limit=PAGE_ROWS)
    db.session.rollback()  # end the read transaction: nothing to keep
    return render_template(
        "hq/ideas_map.html",
        idea_map=found,
        lift_mark=LIFT_MARK,
        kind_labels={k.value: str(v) for k, v in KIND_LABELS.items()},
        stale=stale,
    )
