"""Outgoing e-mail (invitations, password resets) through Flask-Mailman, when SMTP is set.

Without MAIL_SERVER nothing is sent: HQ copies the one-time links by hand, as before.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_mailman import EmailMessage, Mail

log = logging.getLogger(__name__)
mail = Mail()


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)


def register(app: Flask) -> None:
    app.config.setdefault("MAIL_TIMEOUT", 10)  # a dead relay must not hold a worker for long
    # Flask-Mailman keeps mail in memory when app.testing; ours goes to the configured relay
    # (the tests start a real local SMTP server).
    app.config.setdefault("MAIL_BACKEND", "smtp")
    mail.init_app(app)


def mail_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("MAIL_SERVER"))


def send(letter: Letter) -> bool:
    """Send now; False (and a log line) when the relay refuses or cannot be reached."""
    message = EmailMessage(
        subject=letter.subject,
        body=letter.body,
        to=[letter.to],
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER"),
        headers=dict(letter.headers),
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        log.exception("mail to %s not sent", letter.to.split("@")[-1])
        return False
    return True


def send_later(letter: Letter) -> threading.Thread:
    """Send from a thread, so that the answer does not wait (nor time) the SMTP exchange."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def _run() -> None:
        with app.app_context():
            send(letter)

    thread = threading.Thread(target=_run, name="mail", daemon=True)
    thread.start()
    return thread
