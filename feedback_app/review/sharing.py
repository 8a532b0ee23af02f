"""Share links on the brief page: make one (its address shown once), list, revoke."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, permission_required
from feedback_app.extensions import db
from feedback_app.review import bp
from feedback_app.review.forms import ShareLinkForm
from feedback_app.services.permissions import Permission
from feedback_app.services.sharing import links
from feedback_app.services.synthesis.brief import brief_region
from feedback_app.web.forms import ActionForm, external_url, failures_flashed

LINK = f"<int(max={2**31 - 1}):link_id>"


@bp.post("/brief/share")
@permission_required(Permission.SHARE_LINKS)
def share_create() -> ResponseReturnValue:
    form = ShareLinkForm()
    scope = current_scope()
    region = brief_region(db.session, scope, form.region.data or None)
    region_id, slug = region.id, region.slug
    db.session.rollback()
    back = url_for("review.brief", region=slug, _anchor="share-links")
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(back, 303)
    with failures_flashed():
        link_id, token = links.create_link(
            db.session, scope, region_id, days=int(form.days.data), actor_id=current_user.id
        )
        # The address is shown this once: only its hash is kept.
        flash(
            _(
                "Lien de partage n° %(num)d créé. Copiez-le maintenant, il ne sera plus "
                "affiché : %(address)s",
                num=link_id,
                address=external_url("followup.shared_brief", token=token),
            ),
            "success",
        )
    return redirect(back, 303)


@bp.post(f"/brief/share/{LINK}/revoke")
@permission_required(Permission.SHARE_LINKS)
def share_revoke(link_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(url_for("review.brief"), 303)
    slug = links.revoke_link(db.session, current_scope(), link_id, actor_id=current_user.id)
    flash(_("Lien de partage n° %(num)d révoqué.", num=link_id), "success")
    return redirect(url_for("review.brief", region=slug, _anchor="share-links"), 303)
