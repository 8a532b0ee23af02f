"""Staff accounts (HQ only): create, edit, deactivate, and hand over set-password links."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.forms import UserForm
from feedback_app.hq.invitations import invitation_letter
from feedback_app.i18n import current_language
from feedback_app.labels import ROLE_LABELS
from feedback_app.models import Role, User
from feedback_app.services.accounts.admin import (
    create_with_link,
    get_user,
    list_users,
    new_link,
    set_active,
    update_user,
)
from feedback_app.services.accounts.tokens import TOKEN_VALIDITY
from feedback_app.services.permissions import Permission
from feedback_app.services.tour import reference
from feedback_app.web.forms import ActionForm, external_url, failures_flashed, failures_on
from feedback_app.web.mail import mail_configured, send


def _prepare(form: UserForm) -> None:
    language = current_language()
    form.regions.choices = [(r.slug, r.name_for(language)) for r in reference.regions(db.session)]


def _role(form: UserForm) -> Role:
    return Role(form.role.data) if form.role.data in {r.value for r in Role} else Role.DELEGATE


def _handover(user: User, token: str) -> ResponseReturnValue:
    """Mail the link when SMTP is set; else (or when the mail fails) show it once to copy.

    Only its hash is stored, so it cannot be shown again later.
    """
    link = external_url("auth.set_password", token=token)
    hours = int(TOKEN_VALIDITY.total_seconds() // 3600)
    mailed = mail_configured() and send(invitation_letter(user, link, hours))
    if mailed:
        flash(
            _(
                "Lien envoyé par e-mail à %(email)s (valable %(hours)d heures).",
                email=user.email,
                hours=hours,
            ),
            "ok",
        )
        return redirect(url_for("hq.users"))
    response = render_template(
        "hq/user_link.html", user=user, link=link, hours=hours, mail_failed=mail_configured()
    )
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/users")
@permission_required(Permission.USERS_MANAGE)
def users() -> ResponseReturnValue:
    return render_template(
        "hq/users.html",
        users=list_users(db.session),
        role_labels=ROLE_LABELS,
        action_form=ActionForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.USERS_MANAGE)
def user_create() -> ResponseReturnValue:
    form = UserForm()
    _prepare(form)
    if form.validate_on_submit():
        with failures_on(form):
            user, token = create_with_link(
                db.session,
                actor_id=current_user.id,
                email=form.email.data or "",
                role=_role(form),
                region_slugs=list(form.regions.data or []),
                name=form.name.data or "",
            )
            return _handover(user, token)
    return render_template("hq/user_form.html", form=form, user=None), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.USERS_MANAGE)
def user_edit(user_id: int) -> ResponseReturnValue:
    user = get_user(db.session, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    _prepare(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.regions.data = [r.slug for r in user.regions]
    if form.validate_on_submit():
        with failures_on(form):
            update_user(
                db.session,
                actor_id=current_user.id,
                user_id=user_id,
                email=form.email.data or "",
                name=form.name.data or "",
                role=_role(form),
                region_slugs=list(form.regions.data or []),
            )
            flash(_("Compte enregistré."), "ok")
            return redirect(url_for("hq.users"))
    return render_template("hq/user_form.html", form=form, user=user), (422 if form.errors else 200)


@bp.post("/users/<int:user_id>/link")
@permission_required(Permission.USERS_MANAGE)
def user_link(user_id: int) -> ResponseReturnValue:
    with failures_flashed():
        user, token = new_link(db.session, actor_id=current_user.id, user_id=user_id)
        return _handover(user, token)
    return redirect(url_for("hq.users"))


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    with failures_flashed():
        user = set_active(db.session, actor_id=current_user.id, user_id=user_id, active=active)
        if active:
            flash(_("Compte de %(email)s réactivé.", email=user.email), "ok")
        else:
            flash(
                _("Compte de %(email)s désactivé : ses sessions sont fermées.", email=user.email),
                "ok",
            )
    return redirect(url_for("hq.users"))


@bp.post("/users/<int:user_id>/deactivate")
@permission_required(Permission.USERS_MANAGE)
def user_deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@permission_required(Permission.USERS_MANAGE)
def user_reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)
