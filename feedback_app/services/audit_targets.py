"""The records an audit page mentions, fetched in one query per kind (no query per row)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import AuditEvent, Submission, Theme, TourStop, User

ITEM_ACTIONS_TARGET = "submission_id"  # item events carry their submission in before/after


@dataclass
class AuditTargets:
    submissions: dict[int, str] = field(default_factory=dict)  # id -> reference
    stops: dict[int, TourStop] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    themes: dict[int, Theme] = field(default_factory=dict)
    themes_by_code: dict[str, Theme] = field(default_factory=dict)


def submission_of(event: AuditEvent) -> int | None:
    """The submission an event is about: its target, or the one of the item it changed."""
    if event.target_type == "submission":
        return event.target_id
    for values in (event.after, event.before):
        if values and isinstance(values.get(ITEM_ACTIONS_TARGET), int):
            return int(values[ITEM_ACTIONS_TARGET])
    return None


def _ids(events: Iterable[AuditEvent], kind: str) -> set[int]:
    return {e.target_id for e in events if e.target_type == kind and e.target_id is not None}


def load_targets(session: Session, events: list[AuditEvent]) -> AuditTargets:
    targets = AuditTargets()
    submission_ids = {i for i in map(submission_of, events) if i is not None}
    if submission_ids:
        rows = session.execute(
            select(Submission.id, Submission.reference).where(Submission.id.in_(submission_ids))
        )
        targets.submissions = {int(row.id): str(row.reference) for row in rows}
    # The stops an event names in its values too (an export's filter), read as names.
    named = {s for e in events for s in ((e.after or {}).get("stops") or []) if isinstance(s, int)}
    if stop_ids := _ids(events, "stop") | named:
        targets.stops = {
            s.id: s for s in session.scalars(select(TourStop).where(TourStop.id.in_(stop_ids)))
        }
    if user_ids := _ids(events, "user"):
        targets.users = {
            u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    themes = list(session.scalars(select(Theme)))
    targets.themes = {t.id: t for t in themes}
    targets.themes_by_code = {t.code: t for t in themes}
    return targets
