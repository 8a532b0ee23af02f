"""Daily upkeep: the retention purge of contact details (law 09-08), expired workbooks.

Dramatiq has no scheduler of its own: cron runs the same work daily with
`flask --app feedback_app privacy purge` and `flask --app feedback_app export expire`
(README, "Scaling out"); these tasks let any code queue it on the workers instead.
"""

from __future__ import annotations

from flask import current_app

from feedback_app.extensions import db, taskqueue


@taskqueue.task(queue="maintenance", time_limit_s=3600)
def purge_contacts() -> None:
    from feedback_app.services.privacy.personal_data import purge_expired_contacts

    purge_expired_contacts(
        db.session, retention_days=int(current_app.config["CONTACT_RETENTION_DAYS"])
    )


@taskqueue.task(queue="maintenance", time_limit_s=3600)
def expire_exports() -> None:
    from feedback_app.services.export.store import expire_exports as expire

    expire(db.session, keep_days=int(current_app.config["EXPORT_KEEP_DAYS"]))
