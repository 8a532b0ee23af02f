"""Follow-up mails: one per person concerned when a commitment linked to their idea changes
status (services/followup/notices.py holds the rules: idempotent, one a day per person)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from feedback_app.extensions import db, taskqueue
from feedback_app.labels import COMMITMENT_STATUSES, word
from feedback_app.locales import local_day
from feedback_app.services.followup.notices import Claim, claim, mark_sent, open_notices
from feedback_app.web.mail import Letter, mail_configured, send


class NoticeNotSent(Exception):
    """The relay refused or could not be reached: the task fails and is retried."""


@taskqueue.task(queue="mail", time_limit_s=600, max_retries=3)
def send_notices(change_id: int) -> None:
    send_change_notices(change_id)


def send_change_notices(change_id: int, today: dt.date | None = None) -> int:
    """Send what is left of the change's notices; returns how many mails went out."""
    if not mail_configured():
        return 0
    day = today or local_day(dt.datetime.now(dt.UTC))
    sent = 0
    for notice_id in open_notices(db.session, change_id):
        found = claim(db.session, notice_id, secret=current_app.secret_key or "", today=day)
        if found is None:
            continue
        if not send(_letter(found)):
            raise NoticeNotSent(notice_id)
        mark_sent(db.session, notice_id)
        sent += 1
    return sent


def _letter(found: Claim) -> Letter:
    from feedback_app.followup.public import unsubscribe_token

    base = str(current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context("/", base_url=base), force_locale(found.language):
        follow = url_for("followup.by_reference", reference=found.reference, _external=True)
        stop_url = url_for(
            "followup.unsubscribe_page", token=unsubscribe_token(found.person), _external=True
        )
        status = word(COMMITMENT_STATUSES[found.status], found.language)
        subject = _("Votre idée : un engagement a changé de statut")
        body = "\n\n".join(
            [
                _("Bonjour,"),
                _(
                    "Un engagement qui répond à une idée que vous avez exprimée lors de la "
                    "tournée régionale a changé de statut."
                ),
                f"{found.title}\n{status} — {found.progress} %",
                _("Motif : %(reason)s", reason=found.reason),
                _("Suivez votre idée : %(url)s", url=follow),
                _("Ne plus recevoir ces courriels : %(url)s", url=stop_url),
            ]
        )
    domain = base.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    return Letter(
        to=found.email,
        subject=subject,
        body=body,
        headers={
            # The same id on a resend after a crash: relays and clients see one message.
            "Message-ID": f"<commitment-notice-{found.notice_id}@{domain}>",
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
