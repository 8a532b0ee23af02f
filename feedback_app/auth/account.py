"""The account page: who I am, and my personal API tokens for BI tools (make, revoke).

Any signed-in staff member has one, observers included: a token only reads (the feed under
/api/v1/feed/), and reads what its owner reads.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth import bp
from feedback_app.auth.forms import ApiTokenForm
from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.models.types import utcnow
from feedback_app.services.accounts.api_tokens import (
    LIFETIMES_DAYS,
    NewToken,
    create_token,
    list_tokens,
    revoke_token,
)
from feedback_app.web.forms import failures_on


def _page(
    form: ApiTokenForm, new: NewToken | None = None, status: int = 200
) -> ResponseReturnValue:
    user = current_user._get_current_object()
    scope = current_scope()
    body = render_template(
        "auth/account.html",
        form=form,
        tokens=list_tokens(db.session, user),
        new=new,
        now=utcnow(),
        regions=None if scope.is_everything else user.regions,
        feeds=("submissions", "entries", "idea-groups", "commitments"),
    )
    response = current_app.make_response((body, status))
    # The new token is on this page once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account")
@staff_required
def account() -> ResponseReturnValue:
    return _page(ApiTokenForm())


@bp.post("/account/tokens")
@staff_required
def account_token_create() -> ResponseReturnValue:
    form = ApiTokenForm()
    if form.validate_on_submit():
        days = int(form.days.data) if str(form.days.data).isdigit() else 0
        with failures_on(form):
            new = create_token(
                db.session,
                current_user._get_current_object(),
                name=form.name.data or "",
                days=days if days in LIFETIMES_DAYS else 0,
            )
            form.name.data = ""
            return _page(form, new)
    return _page(form, status=422)


@bp.post("/account/tokens/<int:token_id>/revoke")
@staff_required
def account_token_revoke(token_id: int) -> ResponseReturnValue:
    revoke_token(db.session, current_user._get_current_object(), token_id)
    flash(_("Le jeton est révoqué : il ne donne plus accès à rien."), "info")
    return redirect(url_for("auth.account"))
