"""The invitation mail: the invitee's language is unknown, so it speaks French, Arabic, English."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback_app.models import User
from feedback_app.web.mail import Letter


def invitation_letter(user: User, link: str, hours: int) -> Letter:
    parts, subjects = [], []
    for language in ("fr", "ar", "en"):
        with force_locale(language):
            subjects.append(_("Votre compte Tournée"))
            parts.append(
                render_template("hq/mail_invitation.txt", user=user, link=link, hours=hours)
            )
    return Letter(to=user.email, subject=" / ".join(subjects[:2]), body="\n\n---\n\n".join(parts))
