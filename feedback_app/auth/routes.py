"""Sign-in, sign-out and the set-password link: parse, call a service, respond."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from feedback_app.auth import bp
from feedback_app.auth.forms import LoginForm, SetPasswordForm
from feedback_app.extensions import db
from feedback_app.services.accounts.passwords import MIN_PASSWORD_LENGTH
from feedback_app.services.accounts.signin import Throttle, authenticate, sign_out
from feedback_app.services.accounts.tokens import (
    TOKEN_VALIDITY,
    find_valid_token,
    set_password_with_token,
)
from feedback_app.services.errors import NotFound
from feedback_app.web.forms import failures_on, safe_next
from feedback_app.web.mail import mail_configured


@bp.before_app_request
def _forget_cached_user() -> None:
    # Who is signed in is decided from this request's cookie alone. Flask reuses an app
    # context that is already pushed (the tests hold one), and with it Flask-Login's cached
    # user: without this, one client's sign-in would leak into the next client's request.
    g.pop("_login_user", None)


def sign_in_throttle() -> Throttle:
    """The sign-in allowances of this app (any page guarding an account can take from them)."""
    return Throttle.from_config(current_app.config)


def landing_url() -> str:
    """Where a signed-in staff member starts: HQ on the dashboard, a delegate at the review desk."""
    if current_user.is_authenticated and current_user.is_hq:
        return url_for("hq.dashboard")
    return url_for("review.index")


def _start_session(user) -> None:
    # A fresh session: nothing planted in the cookie before sign-in survives it (fixation).
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(landing_url())
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    error, status = None, 200
    if form.validate_on_submit():
        result = authenticate(
            db.session,
            sign_in_throttle(),
            email=form.email.data or "",
            password=form.password.data or "",
            address=request.remote_addr or "unknown",
        )
        if result.ok:
            _start_session(result.user)
            return redirect(safe_next(form.next.data) or landing_url())
        if result.wait_seconds:
            error = ngettext(
                "Trop de tentatives. Réessayez dans %(num)d seconde.",
                "Trop de tentatives. Réessayez dans %(num)d secondes.",
                result.wait_seconds,
            )
            status = 429
        else:
            error = _("E-mail ou mot de passe incorrect.")
    form.password.data = ""
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        sign_out(db.session, current_user.id)
        logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté(e)."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    try:
        row = find_valid_token(db.session, token)
    except NotFound:
        return _private(_invalid_link(), 410)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            with failures_on(form):
                user = set_password_with_token(
                    db.session,
                    token,
                    password=form.password.data or "",
                    confirmation=form.confirm.data or "",
                )
                _start_session(user)
                flash(_("Votre mot de passe est enregistré."), "info")
                return redirect(landing_url())
        except NotFound:
            return _private(_invalid_link(), 410)
    return _private(
        render_template(
            "auth/set_password.html", form=form, user=row.user, min_length=MIN_PASSWORD_LENGTH
        ),
        200,
    )


def _invalid_link() -> str:
    return render_template(
        "auth/link_invalid.html",
        mail_enabled=mail_configured(),
        hours=int(TOKEN_VALIDITY.total_seconds() // 3600),
    )


def _private(body: str, status: int) -> Response:
    # The token is in the address: it must not leak through Referer nor stay in a cache.
    response = current_app.make_response((body, status))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
