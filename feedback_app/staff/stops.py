"""The tour's stops: list with live counts, create, edit, open, close and the A4 poster.

Delegates see, open and close their own regions' stops; creating and editing is HQ's.
"""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, hq_required, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import STATUS_LABELS, ActionForm, StopFilterForm, StopForm
from feedback_app.i18n import current_language
from feedback_app.models import StopStatus
from feedback_app.services import reference
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.stop_admin import (
    add_stop,
    get_stop,
    list_stops,
    set_stop_status,
    update_stop,
)
from feedback_app.web.forms import attach_errors, external_url


def _region_choices(scope_only: bool) -> list[tuple[str, str]]:
    language = current_language()
    scope = current_scope()
    return [(r.slug, r.name_for(language)) for r in reference.regions(db.session)
            if not scope_only or scope.allows(r.id)]


@bp.get("/stops")
@staff_required
def stops() -> ResponseReturnValue:
    filters = StopFilterForm(request.args)
    filters.region.choices = [("", _("Toutes")), *_region_choices(scope_only=True)]
    filters.status.choices = [("", _("Tous")),
                              *((s.value, label) for s, label in STATUS_LABELS.items())]
    status = filters.status.data if filters.status.data in {s.value for s in StopStatus} else None
    rows = list_stops(db.session, current_scope(), region_slug=filters.region.data or None,
                      status=StopStatus(status) if status else None)
    return render_template("hq/stops.html", rows=rows, filters=filters,
                           status_labels=STATUS_LABELS, action_form=ActionForm())


def _stop_form_choices(form: StopForm) -> None:
    form.region.choices = [("", _("— Choisir —")), *_region_choices(scope_only=False)]


@bp.route("/stops/new", methods=["GET", "POST"])
@hq_required
def stop_create() -> ResponseReturnValue:
    form = StopForm()
    _stop_form_choices(form)
    if form.validate_on_submit():
        try:
            stop = add_stop(db.session, actor_id=current_user.id, region_slug=form.region.data,
                            city=form.city.data or "", venue=form.venue.data,
                            date=form.date.data, grace_hours=form.grace_hours.data)
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Étape créée : code %(code)s.", code=stop.code), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=None), status


@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
@hq_required
def stop_edit(stop_id: int) -> ResponseReturnValue:
    stop = get_stop(db.session, current_scope(), stop_id)
    form = StopForm(obj=stop) if request.method == "GET" else StopForm()
    _stop_form_choices(form)
    if request.method == "GET":
        form.region.data = stop.region.slug
    if form.validate_on_submit():
        try:
            update_stop(db.session, current_scope(), stop_id, actor_id=current_user.id,
                        region_slug=form.region.data, city=form.city.data or "",
                        venue=form.venue.data, date=form.date.data,
                        grace_hours=form.grace_hours.data)
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Étape enregistrée."), "ok")
            return redirect(url_for("hq.stops"))
    status = 422 if form.errors else 200
    return render_template("hq/stop_form.html", form=form, stop=stop), status


def _change_status(stop_id: int, status: StopStatus, message: str):
    ActionForm().validate_on_submit()  # CSRF is enforced globally; the form documents it
    stop = set_stop_status(db.session, current_scope(), stop_id, actor_id=current_user.id,
                           status=status)
    flash(message % {"city": stop.city}, "ok")
    return redirect(url_for("hq.stops"))


@bp.post("/stops/<int:stop_id>/open")
@staff_required
def stop_open(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.OPEN, _("Étape de %(city)s ouverte."))


@bp.post("/stops/<int:stop_id>/close")
@staff_required
def stop_close(stop_id: int) -> ResponseReturnValue:
    return _change_status(stop_id, StopStatus.CLOSED, _("Étape de %(city)s clôturée."))


def public_form_url(code: str, language: str | None = None) -> str:
    return external_url("public.stop_form", code=code, lang=language)


def _qr_svg(url: str, title: str) -> str:
    # segno escapes the title; the SVG has no size of its own so print CSS sizes it.
    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True,
                                                 svgclass="qr", title=title)


@bp.get("/stops/<int:stop_id>/poster")
@staff_required
def stop_poster(stop_id: int) -> ResponseReturnValue:
    stop = get_stop(db.session, current_scope(), stop_id)
    url_fr = public_form_url(stop.code)
    url_ar = public_form_url(stop.code, "ar")
    return render_template(
        "hq/poster.html", stop=stop, short_link=url_fr.split("://", 1)[-1],
        qr_fr=_qr_svg(url_fr, "QR " + url_fr), qr_ar=_qr_svg(url_ar, "QR " + url_ar),
        url_fr=url_fr, url_ar=url_ar, fr=_poster_words(stop, "fr"), ar=_poster_words(stop, "ar"),
    )


def _poster_words(stop, language: str) -> dict[str, str]:
    """The poster speaks French and Arabic, whatever the language of the page around it."""
    with force_locale(language):
        return {
            "heading": _("Donnez votre avis sur le tourisme dans votre région"),
            "scan": (_("Scannez ce code pour répondre en arabe") if language == "ar"
                     else _("Scannez ce code pour répondre en français")),
            "region": stop.region.name_for(language),
            "date": format_date(stop.date, "long"),
            "open": _("Ou ouvrez"),
            "code": _("Code de l'étape :"),
        }
