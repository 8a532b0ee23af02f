"""Daily upkeep: the retention purge of contact details (law 09-08).

Dramatiq has no scheduler: cron enqueues these once a day (README, "Scaling out"), with
`flask --app feedback_app tasks enqueue NAME`, or runs the equivalent commands directly.
"""

from __future__ import annotations

from flask import current_app

from feedback_app.extensions import db, taskqueue


@taskqueue.task(queue="maintenance", time_limit_s=3600)
def purge_contacts() -> None:
    from feedback_app.services.privacy import purge_expired_contacts

    purge_expired_contacts(
        db.session, retention_days=int(current_app.config["CONTACT_RETENTION_DAYS"]))
