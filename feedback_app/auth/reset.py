"""The "forgotten password" page: a one-time link by e-mail, whether or not the account exists.

Every valid request gets the same page after the same minimum time; the mail goes out from a
thread so that the SMTP exchange does not show in the timing.
"""

from __future__ import annotations

import time

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from feedback_app.auth import bp
from feedback_app.auth.forms import ForgotPasswordForm
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.models import User
from feedback_app.services.accounts.password_reset import RESET_VALIDITY, request_reset
from feedback_app.web.forms import external_url
from feedback_app.web.mail import Letter, mail_configured, send_later


def reset_letter(user: User, token: str) -> Letter:
    """The mail, in the language the request was made in."""
    link = external_url("auth.set_password", token=token, lang=current_language())
    minutes = int(RESET_VALIDITY.total_seconds() // 60)
    body = render_template("auth/mail_reset.txt", user=user, link=link, minutes=minutes)
    return Letter(to=user.email, subject=_("Tournée : choisir un nouveau mot de passe"), body=body)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    enabled = mail_configured()
    if not enabled or not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/forgot_password.html", form=form, enabled=enabled), status
    started = time.monotonic()
    issued = request_reset(
        db.session, email=form.email.data or "", address=request.remote_addr or "unknown"
    )
    if issued is not None:
        send_later(reset_letter(*issued))
    floor = float(current_app.config.get("PASSWORD_RESET_MIN_SECONDS", 0))
    time.sleep(max(0.0, floor - (time.monotonic() - started)))
    minutes = int(RESET_VALIDITY.total_seconds() // 60)
    return render_template("auth/reset_sent.html", minutes=minutes)
