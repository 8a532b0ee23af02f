"""The dashboard at /hq/: the Synthèse sheet's figures, region by region, in the browser.

Delegates see the same page for their own region(s). Every figure links to the review list
filtered on what it counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import PeriodForm
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_PLURAL_LABELS, STOP_STATUS_LABELS
from feedback_app.models import ItemKind, StopStatus
from feedback_app.services.ideas.queries import top_groups_by_kind
from feedback_app.services.review.signoff import region_states
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.tour.stop_admin import list_stops

TOP_IDEAS = 5


def _review_linker(since: dt.date | None, until: dt.date | None) -> Callable[..., str]:
    """link(region=..., kind=..., ...): the review list filtered on what a figure counts."""

    dates = {
        "date_from": since.isoformat() if since else None,
        "date_to": until.isoformat() if until else None,
    }

    def link(*, shortlisted: bool = False, **filters: Any) -> str:
        args = {**filters, "shortlisted": "1" if shortlisted else None, **dates}
        return url_for("review.index", **{k: v for k, v in args.items() if v is not None})

    return link


@bp.get("/")
@staff_required
def dashboard() -> ResponseReturnValue:
    form = PeriodForm(request.args)
    valid = form.validate()
    since = form.since.data if valid else None
    until = form.until.data if valid else None
    language = current_language()
    sel = resolve(
        db.session,
        current_scope(),
        SynthesisFilters(since=since, until=until),
        language=language,
        tz=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    syn = synthesis(db.session, sel)
    signoffs = region_states(db.session, sel.region_ids)
    # The recurring ideas of the reader's regions (all time: groups are not dated).
    ideas = top_groups_by_kind(db.session, current_scope(), TOP_IDEAS, language=language)
    # The stops taking contributions now, with what may be done for each (poster, import,
    # live screen, sign-off, close): not only from the stops list.
    open_stops = list_stops(db.session, current_scope(), status=StopStatus.OPEN)
    db.session.rollback()  # end the read transaction: nothing to keep
    region_ids = {r.slug: r.id for r in sel.regions}
    biggest = max([r.submissions for r in syn.regions] + [1])
    return render_template(
        "hq/dashboard.html",
        form=form,
        syn=syn,
        totals=syn.totals,
        region_ids=region_ids,
        biggest=biggest,
        review=_review_linker(since, until),
        signoffs=signoffs,
        kinds=[kind.value for kind in ItemKind],
        kind_labels=KIND_PLURAL_LABELS,
        ideas=ideas,
        review_group=lambda group_id: url_for("review.index", group=group_id),
        open_stops=open_stops,
        status_labels=STOP_STATUS_LABELS,
    )
