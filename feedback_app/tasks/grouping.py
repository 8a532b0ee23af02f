"""Recurring ideas regrouped in the background once the data has changed.

A successful POST that may add or change items (a submission, an import, a review action, a
curation) makes sure one regrouping is pending, due REGROUP_DELAY_SECONDS later: the posts that
arrive meanwhile queue nothing more and are covered by that run (one task per interval, never
one per POST: under sustained posting the corpus is regrouped at most once per interval), and
a run that finds the groups current does nothing. A run places the new items in the existing
groups they are close to, and recomputes every group at most once per
REGROUP_FULL_INTERVAL_SECONDS (a second task, pending once such a run is owed).

Nothing else regroups in full once a grouping exists: a page reads the groups as they are, says
what they miss and makes sure this task is pending (`groups_as_they_are`); an export places the
new items as the task would (services/ideas/groups.py `refresh_for_export`).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request

from feedback_app.extensions import db, taskqueue
from feedback_app.services.ideas.groups import (
    Staleness,
    regroup_if_owed,
    regroup_if_stale,
    seconds_until_full,
    staleness,
)
from feedback_app.taskqueue import TaskQueueUnavailable

log = logging.getLogger(__name__)
# Blueprints whose successful POSTs may add or change items, and the back office's one route that
# does (an intake's confirmation; its other posts are about stops, people and themes).
CHANGING_BLUEPRINTS = frozenset({"public", "api", "review"})
CHANGING_ENDPOINTS = frozenset({"hq.stop_intake_confirm"})


def full_interval() -> float | None:
    """REGROUP_FULL_INTERVAL_SECONDS: the task's, and the export's (None: always in full)."""
    interval = current_app.config.get("REGROUP_FULL_INTERVAL_SECONDS")
    return None if interval is None else float(interval)


@taskqueue.task(queue="default", time_limit_s=1800)
def regroup_ideas() -> None:
    """New items join their groups; the full regrouping at most once per
    REGROUP_FULL_INTERVAL_SECONDS (None: a full one at every run)."""
    interval = full_interval()
    regroup_if_stale(db.session, full_interval=interval)
    if interval is not None:
        _schedule_full(interval)


@taskqueue.task(queue="default", time_limit_s=1800)
def regroup_ideas_full() -> None:
    """The full regrouping owed since new items were placed between two full ones."""
    regroup_if_owed(db.session)


def _schedule_full(interval: float) -> None:
    """Make sure one full regrouping is pending once one is owed, due when the interval since
    the last one ends: without it, items placed nowhere would wait for the next post."""
    wait = seconds_until_full(db.session, interval)
    if wait is None:
        return
    try:
        regroup_ideas_full.send_debounced(max(wait, 1.0))
    except TaskQueueUnavailable:
        log.warning("full regrouping not queued: the task broker is unreachable")


def schedule_regrouping() -> None:
    """Make sure one regrouping is pending; a broker that is down never fails the request."""
    delay = current_app.config.get("REGROUP_DELAY_SECONDS")
    if delay is None:
        return
    try:
        regroup_ideas.send_debounced(float(delay))
    except TaskQueueUnavailable:
        log.warning("regrouping not queued: the task broker is unreachable")


def groups_as_they_are() -> Staleness | None:
    """What the stored groups miss (None: they are current), for a page that reads them as
    they are: a full regrouping takes minutes at a national scale, never a request's time.
    When they miss something, the debounced regrouping is made sure to be pending (at most one
    per REGROUP_DELAY_SECONDS, whatever the number of page views)."""
    found = staleness(db.session)
    db.session.rollback()  # end the read transaction before the page's own reads
    if found is not None:
        schedule_regrouping()
    return found


def register(app: Flask) -> None:
    @app.after_request
    def _regroup_after_changes(response: Response) -> Response:
        if (
            request.method == "POST"
            and response.status_code < 400
            and (request.blueprint in CHANGING_BLUEPRINTS or request.endpoint in CHANGING_ENDPOINTS)
        ):
            schedule_regrouping()
        return response
