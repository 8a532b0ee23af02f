"""HQ creates and edits the tour's stops; the list, opening and closing are in hq/stops.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import StopForm
from feedback_app.hq.stops import region_choices
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stop_admin import StopFields, add_stop, update_stop
from feedback_app.services.tour.stops import LOCALISED_NAMES, scoped_stop
from feedback_app.web.forms import failures_on


def _stop_fields(form: StopForm) -> StopFields:
    """What the stop form says of a stop, as add_stop and update_stop take it."""
    return StopFields(
        region_slug=form.region.data,
        city=form.city.data or "",
        venue=form.venue.data,
        date=form.date.data,
        grace_hours=form.grace_hours.data,
        names={name: form[name].data for name in LOCALISED_NAMES},
    )


def _stop_form_choices(form: StopForm) -> None:
    form.region.choices = [("", _("— Choisir —")), *region_choices(scope_only=False)]


@bp.route("/stops/new", methods=["GET", "POST"])
@permission_required(Permission.STOPS_MANAGE)
def stop_create() -> ResponseReturnValue:
    form = StopForm()
    _stop_form_choices(form)
    if form.validate_on_submit():
        with failures_on(form):
            stop = add_stop(db.session, actor_id=current_user.id, fields=_stop_fields(form))
            flash(_("Étape créée : code %(code)s.", code=stop.code), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=None), status


@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.STOPS_MANAGE)
def stop_edit(stop_id: int) -> ResponseReturnValue:
    stop = scoped_stop(db.session, current_scope(), stop_id)
    form = StopForm(obj=stop) if request.method == "GET" else StopForm()
    _stop_form_choices(form)
    if request.method == "GET":
        form.region.data = stop.region.slug
    if form.validate_on_submit():
        with failures_on(form):
            update_stop(
                db.session,
                current_scope(),
                stop_id,
                actor_id=current_user.id,
                fields=_stop_fields(form),
            )
            flash(_("Étape enregistrée."), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=stop), status
