"""The stop's A4 poster: two QR codes (French, Arabic), the short link and the stop's code.

Each language keeps its own direction: the French half reads left to right, the Arabic half
right to left, and no line mixes the two. Without PUBLIC_BASE_URL the addresses would be this
server's own (often internal) one: the poster is refused in production, loudly flagged else.
"""

from __future__ import annotations

import segno
from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.i18n import format_date
from feedback_app.locales import language as language_of
from feedback_app.models import TourStop
from feedback_app.services.followup.public import region_has_commitments
from feedback_app.services.tour.stops import scoped_stop
from feedback_app.web.forms import external_url

POSTER_LANGUAGES = ("fr", "ar")


def public_form_url(code: str, language: str | None = None) -> str:
    return external_url("public.stop_form", code=code, lang=language)


def _qr_svg(url: str, title: str) -> str:
    # segno escapes the title; the SVG has no size of its own so print CSS sizes it.
    return segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr", title=title
    )


@bp.get("/stops/<int:stop_id>/poster")
@staff_required
def stop_poster(stop_id: int) -> ResponseReturnValue:
    stop = scoped_stop(db.session, current_scope(), stop_id)
    configured = bool(current_app.config.get("PUBLIC_BASE_URL"))
    if not configured and current_app.config.get("REQUIRE_PUBLIC_BASE_URL", True):
        return render_template("hq/poster_unconfigured.html", stop=stop), 503
    followup = region_has_commitments(db.session, stop.region_id)
    halves = [_poster_half(stop, language, followup) for language in POSTER_LANGUAGES]
    return render_template("hq/poster.html", stop=stop, halves=halves, base_missing=not configured)


def _poster_half(stop: TourStop, language: str, followup: bool) -> dict[str, str | None]:
    """One language's words and code: the poster speaks French and Arabic, whatever the page.
    Once the region has commitments, it also points to their public follow-up page."""
    url = public_form_url(stop.code, None if language == "fr" else language)
    lang = None if language == "fr" else language
    followup_url = (
        external_url("followup.region", region_slug=stop.region.slug, lang=lang)
        if followup
        else None
    )
    with force_locale(language):
        return {
            "lang": language,
            "dir": "rtl" if language_of(language).rtl else "ltr",
            "url": url,
            "short_link": url.split("://", 1)[-1],
            "qr": _qr_svg(url, "QR " + url),
            "heading": _("Donnez votre avis sur le tourisme dans votre région"),
            "scan": (
                _("Scannez ce code pour répondre en arabe")
                if language == "ar"
                else _("Scannez ce code pour répondre en français")
            ),
            "region": stop.region.name_for(language),
            "city": stop.city_for(language),
            "venue": stop.venue_for(language),
            "date": format_date(stop.date, "long"),
            "open": _("Ou ouvrez"),
            "code": _("Code de l'étape :"),
            "followup_label": _("Ce qui a été décidé :"),
            "followup": followup_url.split("://", 1)[-1] if followup_url else None,
        }
