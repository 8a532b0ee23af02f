"""The dashboard at /hq/: the Synthèse sheet's figures, region by region, in the browser.

Delegates see the same page for their own region(s). Every figure links to the review list
filtered on what it counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.i18n import current_language
from feedback_app.models import ItemKind
from feedback_app.services import reference
from feedback_app.services.idea_group_queries import top_groups
from feedback_app.services.synthesis import SynthesisFilters, resolve, synthesis

TOP_IDEAS = 5


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    since = DateField("", validators=[Optional()])
    until = DateField("", validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("")


def _review_linker(since: dt.date | None, until: dt.date | None):  # type: ignore[no-untyped-def]
    """url(region_id=..., kind=..., ...) to the review list, or None while it does not exist."""
    exists = "review.index" in current_app.view_functions

    def link(**params: Any) -> str | None:
        if not exists:
            return None
        args = {"region": params.get("region"), "kind": params.get("kind"),
                "category": params.get("category"), "theme": params.get("theme"),
                "shortlisted": "1" if params.get("shortlisted") else None,
                "date_from": since.isoformat() if since else None,
                "date_to": until.isoformat() if until else None}
        return url_for("review.index", **{k: v for k, v in args.items() if v is not None})

    return link


@bp.get("/")
@staff_required
def dashboard():  # type: ignore[no-untyped-def]
    form = PeriodForm(request.args)
    valid = form.validate()
    since = form.since.data if valid else None
    until = form.until.data if valid else None
    language = current_language()
    sel = resolve(db.session, current_scope(), SynthesisFilters(since=since, until=until),
                  language=language,
                  tz=current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    syn = synthesis(db.session, sel)
    # The recurring ideas of the reader's regions (all time: groups are not dated).
    ideas = {kind.value: top_groups(db.session, current_scope(), kind, TOP_IDEAS)
             for kind in ItemKind}
    db.session.rollback()  # end the read transaction: nothing to keep
    region_ids = {r.slug: r.id for r in sel.regions}
    biggest = max([r.submissions for r in syn.regions] + [1])
    return render_template(
        "hq/dashboard.html", form=form, syn=syn, totals=syn.totals, region_ids=region_ids,
        biggest=biggest, review=_review_linker(since, until),
        stops_link="hq.stops" in current_app.view_functions,
        kinds=("need", "opportunity", "challenge", "proposal"),
        kind_labels=reference.KIND_PLURALS, ideas=ideas,
        review_group=lambda group_id: url_for("review.index", group=group_id)
        if "review.index" in current_app.view_functions else None,
    )
