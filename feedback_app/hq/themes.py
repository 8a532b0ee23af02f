"""Themes (HQ only): add, rename, retire and bring back."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import ThemeForm
from feedback_app.i18n import current_language
from feedback_app.models import Theme
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.themes import (
    add_theme,
    get_theme,
    list_themes,
    missing_translations,
    move_theme,
    rename_theme,
    set_retired,
    theme_rank,
)
from feedback_app.web.forms import ActionForm, failures_on


def _names(form: ThemeForm) -> dict[str, str]:
    return {
        "name_fr": form.name_fr.data or "",
        "name_ar": form.name_ar.data or "",
        "name_en": form.name_en.data or "",
    }


@bp.route("/themes", methods=["GET", "POST"])
@permission_required(Permission.THEMES_MANAGE)
def themes() -> ResponseReturnValue:
    form = ThemeForm()
    if form.validate_on_submit():
        with failures_on(form):
            theme = add_theme(db.session, actor_id=current_user.id, names=_names(form))
            flash(_("Thème « %(name)s » ajouté.", name=theme.name_for(current_language())), "ok")
            _warn_untranslated(theme)
            return redirect(url_for("hq.themes"))
    rows = list_themes(db.session)
    untranslated = sum(
        1 for row in rows if not row.theme.retired and missing_translations(row.theme)
    )
    return render_template(
        "hq/themes.html", rows=rows, form=form, action_form=ActionForm(), untranslated=untranslated
    ), 422 if form.errors else 200


def _warn_untranslated(theme: Theme) -> None:
    missing = missing_translations(theme)
    if "ar" in missing:
        flash(
            _(
                "Sans nom arabe, ce thème apparaît en français dans le formulaire arabe : "
                "ajoutez sa traduction."
            ),
            "error",
        )
    elif "en" in missing:
        flash(
            _(
                "Sans nom anglais, ce thème apparaît en français dans le formulaire anglais : "
                "ajoutez sa traduction."
            ),
            "error",
        )


@bp.post("/themes/<int:theme_id>/move")
@permission_required(Permission.THEMES_MANAGE)
def theme_move(theme_id: int) -> ResponseReturnValue:
    """Up or down one place, or straight to a typed position (1 = first)."""
    theme = get_theme(db.session, theme_id)
    direction, typed = request.form.get("direction"), request.form.get("position", "").strip()
    if direction in ("up", "down"):
        steps = -1 if direction == "up" else 1
    elif typed.isdigit() and int(typed) >= 1:
        steps = int(typed) - theme_rank(db.session, theme)
    else:
        flash(_("Indiquez une position (1 pour la première)."), "error")
        return redirect(url_for("hq.themes"))
    move_theme(db.session, actor_id=current_user.id, theme_id=theme_id, steps=steps)
    return redirect(url_for("hq.themes", _anchor=f"theme-{theme_id}"))


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.THEMES_MANAGE)
def theme_edit(theme_id: int) -> ResponseReturnValue:
    theme = get_theme(db.session, theme_id)
    form = ThemeForm(obj=theme) if request.method == "GET" else ThemeForm()
    if form.validate_on_submit():
        with failures_on(form):
            rename_theme(
                db.session, actor_id=current_user.id, theme_id=theme_id, names=_names(form)
            )
            flash(_("Thème enregistré."), "ok")
            _warn_untranslated(theme)
            return redirect(url_for("hq.themes"))
    return render_template("hq/theme_form.html", form=form, theme=theme), (
        422 if form.errors else 200
    )


def _retire(theme_id: int, retired: bool) -> ResponseReturnValue:
    theme = set_retired(db.session, actor_id=current_user.id, theme_id=theme_id, retired=retired)
    name = theme.name_for(current_language())
    if retired:
        flash(
            _(
                "Thème « %(name)s » retiré du formulaire ; il reste sur les contributions "
                "existantes.",
                name=name,
            ),
            "ok",
        )
    else:
        flash(_("Thème « %(name)s » de nouveau proposé.", name=name), "ok")
    return redirect(url_for("hq.themes"))


@bp.post("/themes/<int:theme_id>/retire")
@permission_required(Permission.THEMES_MANAGE)
def theme_retire(theme_id: int) -> ResponseReturnValue:
    return _retire(theme_id, True)


@bp.post("/themes/<int:theme_id>/restore")
@permission_required(Permission.THEMES_MANAGE)
def theme_restore(theme_id: int) -> ResponseReturnValue:
    return _retire(theme_id, False)
