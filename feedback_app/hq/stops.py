"""The tour's stops: list with live counts, create, edit, open and close (hq/poster.py: poster).

Delegates see, open and close their own regions' stops; creating and editing is HQ's.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, hq_required, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import STATUS_LABELS, ActionForm, StopFilterForm, StopForm
from feedback_app.hq.helpers import attach_errors
from feedback_app.i18n import current_language
from feedback_app.models import StopStatus
from feedback_app.services import reference
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.stop_admin import (
    add_stop,
    count_submissions,
    get_stop,
    list_stops,
    set_stop_status,
    update_stop,
)
from feedback_app.services.stops import LOCALISED_NAMES


def _region_choices(scope_only: bool) -> list[tuple[str, str]]:
    language = current_language()
    scope = current_scope()
    return [(r.slug, r.name_for(language)) for r in reference.regions(db.session)
            if not scope_only or scope.allows(r.id)]


@bp.get("/stops")
@staff_required
def stops():  # type: ignore[no-untyped-def]
    filters = StopFilterForm(request.args)
    filters.region.choices = [("", _("Toutes")), *_region_choices(scope_only=True)]
    filters.status.choices = [("", _("Tous")),
                              *((s.value, label) for s, label in STATUS_LABELS.items())]
    status = filters.status.data if filters.status.data in {s.value for s in StopStatus} else None
    rows = list_stops(db.session, current_scope(), region_slug=filters.region.data or None,
                      status=StopStatus(status) if status else None)
    return render_template("hq/stops.html", rows=rows, filters=filters,
                           status_labels=STATUS_LABELS, action_form=ActionForm())


def _names(form: StopForm) -> dict[str, str | None]:
    return {name: form[name].data for name in LOCALISED_NAMES}


def _stop_form_choices(form: StopForm) -> None:
    form.region.choices = [("", _("— Choisir —")), *_region_choices(scope_only=False)]


@bp.route("/stops/new", methods=["GET", "POST"])
@hq_required
def stop_create():  # type: ignore[no-untyped-def]
    form = StopForm()
    _stop_form_choices(form)
    if form.validate_on_submit():
        try:
            stop = add_stop(db.session, actor_id=current_user.id, region_slug=form.region.data,
                            city=form.city.data or "", venue=form.venue.data,
                            date=form.date.data, grace_hours=form.grace_hours.data,
                            names=_names(form))
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Étape créée : code %(code)s.", code=stop.code), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=None), status


@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
@hq_required
def stop_edit(stop_id: int):  # type: ignore[no-untyped-def]
    try:
        stop = get_stop(db.session, current_scope(), stop_id)
    except NotFound:
        abort(404)
    form = StopForm(obj=stop) if request.method == "GET" else StopForm()
    _stop_form_choices(form)
    if request.method == "GET":
        form.region.data = stop.region.slug
    if form.validate_on_submit():
        try:
            update_stop(db.session, current_scope(), stop_id, actor_id=current_user.id,
                        region_slug=form.region.data, city=form.city.data or "",
                        venue=form.venue.data, date=form.date.data,
                        grace_hours=form.grace_hours.data, names=_names(form))
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Étape enregistrée."), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=stop), status


def _change_status(stop_id: int, status: StopStatus) -> ResponseReturnValue:
    """GET (or a POST without `confirmed`): the confirmation page; POST confirmed: the change.

    Opening or closing a meeting's form is never one click: the list links here first.
    """
    stop = get_stop(db.session, current_scope(), stop_id)
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        return render_template("hq/stop_confirm.html", stop=stop, status=status,
                               submissions=count_submissions(db.session, stop.id),
                               action_form=ActionForm(), status_labels=STATUS_LABELS)
    stop = set_stop_status(db.session, current_scope(), stop_id, actor_id=current_user.id,
                           status=status)
    city = stop.city_for(current_language())
    if status is StopStatus.OPEN:
        flash(_("Étape de %(city)s ouverte.", city=city), "ok")
    else:
        flash(_("Étape de %(city)s clôturée.", city=city), "ok")
    return redirect(url_for("hq.stops"))


@bp.route("/stops/<int:stop_id>/open", methods=["GET", "POST"])
@staff_required
def stop_open(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.OPEN)


@bp.route("/stops/<int:stop_id>/close", methods=["GET", "POST"])
@staff_required
def stop_close(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.CLOSED)
