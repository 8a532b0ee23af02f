"""The tour's stops: list with live counts, open and close (poster.py: the A4 poster).

Delegates see, open and close their own regions' stops; creating and editing is HQ's
(stop_admin.py).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import StopFilterForm
from feedback_app.i18n import current_language
from feedback_app.labels import STOP_STATUS_LABELS
from feedback_app.models import StopStatus
from feedback_app.services.permissions import Permission
from feedback_app.services.tour import reference
from feedback_app.services.tour.stop_admin import (
    count_submissions,
    list_stops,
    set_stop_status,
)
from feedback_app.services.tour.stops import scoped_stop
from feedback_app.web.forms import ActionForm


def region_choices(scope_only: bool) -> list[tuple[str, str]]:
    language = current_language()
    scope = current_scope()
    return [
        (r.slug, r.name_for(language))
        for r in reference.regions(db.session)
        if not scope_only or scope.allows(r.id)
    ]


@bp.get("/stops")
@staff_required
def stops() -> ResponseReturnValue:
    filters = StopFilterForm(request.args)
    filters.region.choices = [("", _("Toutes")), *region_choices(scope_only=True)]
    filters.status.choices = [
        ("", _("Tous")),
        *((s.value, label) for s, label in STOP_STATUS_LABELS.items()),
    ]
    status = filters.status.data if filters.status.data in {s.value for s in StopStatus} else None
    rows = list_stops(
        db.session,
        current_scope(),
        region_slug=filters.region.data or None,
        status=StopStatus(status) if status else None,
    )
    return render_template(
        "hq/stops.html",
        rows=rows,
        filters=filters,
        status_labels=STOP_STATUS_LABELS,
        action_form=ActionForm(),
    )


def _change_status(stop_id: int, status: StopStatus) -> ResponseReturnValue:
    """GET (or a POST without `confirmed`): the confirmation page; POST confirmed: the change.

    Opening or closing a meeting's form is never one click: the list links here first.
    """
    stop = scoped_stop(db.session, current_scope(), stop_id)
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        return render_template(
            "hq/stop_confirm.html",
            stop=stop,
            status=status,
            submissions=count_submissions(db.session, stop.id),
            action_form=ActionForm(),
            status_labels=STOP_STATUS_LABELS,
        )
    stop = set_stop_status(
        db.session, current_scope(), stop_id, actor_id=current_user.id, status=status
    )
    city = stop.city_for(current_language())
    if status is StopStatus.OPEN:
        flash(_("Étape de %(city)s ouverte.", city=city), "ok")
    else:
        flash(_("Étape de %(city)s clôturée.", city=city), "ok")
    return redirect(url_for("hq.stops"))


@bp.route("/stops/<int:stop_id>/open", methods=["GET", "POST"])
@permission_required(Permission.STOPS_RUN)
def stop_open(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.OPEN)


@bp.route("/stops/<int:stop_id>/close", methods=["GET", "POST"])
@permission_required(Permission.STOPS_RUN)
def stop_close(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.CLOSED)
