"""Personal data on request (HQ only): find one person's contact details and erase them.

The search is a POST, like the erasure: an e-mail address or a name typed here must not end up
in an address bar, the browser history or a proxy's log.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from feedback_app.auth.guards import permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import PrivacyEraseForm, PrivacySearchForm
from feedback_app.i18n import current_language
from feedback_app.services.ids import parse_id
from feedback_app.services.permissions import Permission
from feedback_app.services.privacy.personal_data import (
    MAX_MATCHES,
    erase_contacts,
    erase_preview_contacts,
    find_contacts,
    find_preview_contacts,
    parse_preview_key,
)
from feedback_app.web.forms import failures_on


@bp.route("/privacy", methods=["GET", "POST"])
@permission_required(Permission.PRIVACY_MANAGE)
def privacy() -> ResponseReturnValue:
    search = PrivacySearchForm()
    erase = PrivacyEraseForm()
    matches, previews, status = None, None, 200
    if request.method == "POST" and request.form.get("action") == "erase":
        return _erase(erase)
    if search.validate_on_submit():
        with failures_on(search):
            query, locale = search.query.data or "", current_language()
            matches = find_contacts(db.session, query, locale=locale)
            previews = find_preview_contacts(db.session, query, locale=locale)
        status = 422 if search.errors else 200
    return render_template(
        "hq/privacy.html",
        search=search,
        erase=erase,
        matches=matches,
        previews=previews,
        max_matches=MAX_MATCHES,
        retention_days=int(current_app.config["CONTACT_RETENTION_DAYS"]),
    ), status


def _erase(erase: PrivacyEraseForm):
    ids = [i for i in map(parse_id, request.form.getlist("submission")) if i is not None]
    rows = [k for k in map(parse_preview_key, request.form.getlist("preview")) if k is not None]
    if not (erase.validate_on_submit() and erase.confirm.data and (ids or rows)):
        flash(
            _("Rien n'a été effacé : cochez les contributions concernées et la confirmation."),
            "error",
        )
        return redirect(url_for("hq.privacy"))
    if ids:
        count = erase_contacts(db.session, submission_ids=ids, actor_id=current_user.id)
        flash(
            ngettext(
                "Coordonnées effacées de %(num)d contribution.",
                "Coordonnées effacées de %(num)d contributions.",
                count,
            ),
            "ok",
        )
    if rows:
        count = erase_preview_contacts(db.session, rows=rows, actor_id=current_user.id)
        flash(
            ngettext(
                "Coordonnées effacées de %(num)d ligne d'import en attente.",
                "Coordonnées effacées de %(num)d lignes d'import en attente.",
                count,
            ),
            "ok",
        )
    return redirect(url_for("hq.privacy"))
