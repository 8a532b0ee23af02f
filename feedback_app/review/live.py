"""The live screen of a stop, projected in the room: page, JSON for its script, HQ's setting."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.labels import KIND_PLURAL_LABELS
from feedback_app.locales import local_time
from feedback_app.models import ItemKind
from feedback_app.review import bp
from feedback_app.review.signoff import STOP
from feedback_app.services.permissions import Permission
from feedback_app.services.synthesis import live

REFRESH_SECONDS = 5  # the script's polling period
NO_SCRIPT_REFRESH_SECONDS = 15  # the whole page's, without JavaScript


def _kind_labels() -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for language in ("fr", "ar"):
        with force_locale(language):
            for kind in ItemKind:
                labels.setdefault(kind.value, {})[language] = str(KIND_PLURAL_LABELS[kind])
    return labels


def _payload(figures: live.LiveFigures) -> dict[str, Any]:
    labels = _kind_labels()
    return {
        "stop": {
            "city": asdict(figures.city),
            "date": figures.date.isoformat(),
            "region": asdict(figures.region),
            # In the tour's local time, with its offset: the time the pages and workbook show.
            "signed_at": local_time(figures.signed_at).isoformat() if figures.signed_at else None,
        },
        "submissions": figures.submissions,
        "kinds": [
            {
                "kind": kind.value,
                "label": labels[kind.value],
                "count": figures.by_kind.get(kind.value, 0),
            }
            for kind in ItemKind
        ],
        "themes": [{"label": asdict(r.label), "count": r.count} for r in figures.top_themes],
        # A person's title once across both halves; else each half in its language, or the
        # words saying that nothing was said in it (never the other language in its place).
        "ideas": [
            {"title": i.title, "written": i.written, "fr": i.fr, "ar": i.ar, "count": i.count}
            for i in figures.ideas
        ],
        "texts": [
            {"kind": t.kind, "kind_label": labels[t.kind], "text": t.text} for t in figures.texts
        ],
        "unreviewed_texts": figures.unreviewed_texts,
        "empty": _empty_reasons(figures),
        "at": figures.at.isoformat(),
    }


def _empty_reasons(figures: live.LiveFigures) -> dict[str, dict[str, str]]:
    """Why each list is empty, in French and Arabic: the room sees 40 contributions and an
    empty list, and must not think the screen is broken."""
    reasons: dict[str, dict[str, str]] = {}
    for language in ("fr", "ar"):
        with force_locale(language):
            if not figures.submissions:
                nothing = _("Pas encore de contribution pour cette étape.")
                why = {"themes": nothing, "ideas": nothing, "texts": nothing}
            else:
                why = {
                    "themes": _(
                        "Aucun thème pour l'instant : il apparaît quand une contribution en "
                        "porte un, choisi par son auteur ou par le délégué."
                    ),
                    "ideas": (
                        ngettext(
                            "%(num)d idée revient déjà : elle s'affichera quand le délégué aura "
                            "relu son titre.",
                            "%(num)d idées reviennent déjà : elles s'afficheront quand le "
                            "délégué aura relu leur titre.",
                            figures.ideas_waiting,
                        )
                        if figures.ideas_waiting
                        else _("Aucune idée n'est encore revenue deux fois.")
                    ),
                    "texts": (
                        _("Pas encore de texte pour cette étape.")
                        if figures.unreviewed_texts
                        else _(
                            "Les textes s'affichent ici une fois retenus par le délégué, "
                            "après relecture."
                        )
                    ),
                }
            for panel, text in why.items():
                reasons.setdefault(panel, {})[language] = text
    return reasons


def _figures(stop_id: int) -> live.LiveFigures:
    return live.live_figures(db.session, current_scope(), stop_id)


@bp.get(f"/stops/{STOP}/live")
@staff_required
def stop_live(stop_id: int) -> ResponseReturnValue:
    payload = _payload(_figures(stop_id))
    return render_template(
        "review/live.html",
        stop_id=stop_id,
        data=payload,
        refresh=REFRESH_SECONDS,
        no_script_refresh=NO_SCRIPT_REFRESH_SECONDS,
        words=_words(),
    )


@bp.get(f"/stops/{STOP}/live.json")
@staff_required
def stop_live_json(stop_id: int) -> ResponseReturnValue:
    response = jsonify(_payload(_figures(stop_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"/stops/{STOP}/live/settings")
@permission_required(Permission.LIVE_CONFIGURE)
def stop_live_settings(stop_id: int) -> ResponseReturnValue:
    allowed = request.form.get("unreviewed") == "1"
    live.set_live_unreviewed(
        db.session, current_scope(), stop_id, allowed, actor_id=current_user.id
    )
    flash(
        _("L'écran en direct affiche désormais les textes non examinés.")
        if allowed
        else _("L'écran en direct n'affiche plus que les textes retenus."),
        "ok",
    )
    return redirect(url_for("review.stop_signoff", stop_id=stop_id))


def _words() -> dict[str, dict[str, str]]:
    """The screen's headings in French and in Arabic, whatever the reader's language."""
    words: dict[str, dict[str, str]] = {}
    for language in ("fr", "ar"):
        with force_locale(language):
            for key, text in (
                ("contributions", _("Contributions reçues")),
                ("themes", _("Thèmes les plus cités")),
                ("ideas", _("Idées qui reviennent (entrées)")),
                ("texts", _("Ce qui a été dit")),
                (
                    "no_idea",
                    _("pas d'idée en arabe") if language == "ar" else _("pas d'idée en français"),
                ),
            ):
                words.setdefault(key, {})[language] = text
    return words
