"""The tour's stops: list with live counts, open, close and the A4 poster.

Delegates see, open and close their own regions' stops; creating and editing is HQ's
(hq/stop_admin.py).
"""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.models import StopStatus
from feedback_app.services import reference
from feedback_app.services.stop_admin import get_stop, list_stops, set_stop_status
from feedback_app.staff import bp
from feedback_app.staff.forms import STATUS_LABELS, StopFilterForm
from feedback_app.web.forms import ActionForm, external_url


def region_choices(scope_only: bool) -> list[tuple[str, str]]:
    language = current_language()
    scope = current_scope()
    return [(r.slug, r.name_for(language)) for r in reference.regions(db.session)
            if not scope_only or scope.allows(r.id)]


@bp.get("/stops")
@staff_required
def stops() -> ResponseReturnValue:
    filters = StopFilterForm(request.args)
    filters.region.choices = [("", _("Toutes")), *region_choices(scope_only=True)]
    filters.status.choices = [("", _("Tous")),
                              *((s.value, label) for s, label in STATUS_LABELS.items())]
    status = filters.status.data if filters.status.data in {s.value for s in StopStatus} else None
    rows = list_stops(db.session, current_scope(), region_slug=filters.region.data or None,
                      status=StopStatus(status) if status else None)
    return render_template("staff/stops.html", rows=rows, filters=filters,
                           status_labels=STATUS_LABELS, action_form=ActionForm())


def _change_status(stop_id: int, status: StopStatus, message: str) -> ResponseReturnValue:
    ActionForm().validate_on_submit()  # CSRF is enforced globally; the form documents it
    stop = set_stop_status(db.session, current_scope(), stop_id, actor_id=current_user.id,
                           status=status)
    flash(message % {"city": stop.city}, "ok")
    return redirect(url_for("staff.stops"))


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
        "staff/poster.html", stop=stop, short_link=url_fr.split("://", 1)[-1],
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
