"""Themes (HQ only): add, rename, retire and bring back."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import hq_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import ThemeForm
from feedback_app.i18n import current_language
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.themes import (
    add_theme,
    get_theme,
    list_themes,
    rename_theme,
    set_retired,
)
from feedback_app.web.forms import ActionForm, attach_errors


def _names(form: ThemeForm) -> dict[str, str]:
    return {"name_fr": form.name_fr.data or "", "name_ar": form.name_ar.data or "",
            "name_en": form.name_en.data or ""}


@bp.route("/themes", methods=["GET", "POST"])
@hq_required
def themes() -> ResponseReturnValue:
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = add_theme(db.session, actor_id=current_user.id, names=_names(form))
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Thème « %(name)s » ajouté.", name=theme.name_for(current_language())), "ok")
            return redirect(url_for("hq.themes"))
    return render_template("hq/themes.html", rows=list_themes(db.session), form=form,
                           action_form=ActionForm()), 422 if form.errors else 200


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@hq_required
def theme_edit(theme_id: int) -> ResponseReturnValue:
    theme = get_theme(db.session, theme_id)
    form = ThemeForm(obj=theme) if request.method == "GET" else ThemeForm()
    if form.validate_on_submit():
        try:
            rename_theme(db.session, actor_id=current_user.id, theme_id=theme_id,
                         names=_names(form))
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            flash(_("Thème enregistré."), "ok")
            return redirect(url_for("hq.themes"))
    return render_template("hq/theme_form.html", form=form, theme=theme), (
        422 if form.errors else 200)


def _retire(theme_id: int, retired: bool) -> ResponseReturnValue:
    theme = set_retired(db.session, actor_id=current_user.id, theme_id=theme_id,
                        retired=retired)
    name = theme.name_for(current_language())
    if retired:
        flash(_("Thème « %(name)s » retiré du formulaire ; il reste sur les contributions "
                "existantes.", name=name), "ok")
    else:
        flash(_("Thème « %(name)s » de nouveau proposé.", name=name), "ok")
    return redirect(url_for("hq.themes"))


@bp.post("/themes/<int:theme_id>/retire")
@hq_required
def theme_retire(theme_id: int) -> ResponseReturnValue:
    return _retire(theme_id, True)


@bp.post("/themes/<int:theme_id>/restore")
@hq_required
def theme_restore(theme_id: int) -> ResponseReturnValue:
    return _retire(theme_id, False)
