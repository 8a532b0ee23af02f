"""Audit trail: who did what to which record, and when, with the values before and after.

`record` only adds the event to the caller's session: it belongs inside the caller's
`write_transaction`, so that the change and its trace are committed (or rolled back) together.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from feedback_app.models import AuditEvent, User

PAGE_SIZE = 50


def _jsonable(value: Any) -> Any:
    """Plain JSON values, so that enums, dates and UUIDs store the same on every backend."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    region_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction (no commit here)."""
    event = AuditEvent(
        user_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        region_id=region_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    session.add(event)
    return event


def record_change(
    session: Session, *, before: Mapping[str, Any], after: Mapping[str, Any], **event: Any
) -> None:
    """`record` with only the snapshots' differing keys, so the trail shows what really changed;
    no event at all when nothing did."""
    keys = [k for k in after if _jsonable(before.get(k)) != _jsonable(after.get(k))]
    if keys:
        record(
            session,
            before={k: before.get(k) for k in keys},
            after={k: after.get(k) for k in keys},
            **event,
        )


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def list_events(
    session: Session,
    *,
    action: str | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> AuditPage:
    """Events newest first, optionally only one action or one actor."""
    conditions = []
    if action:
        conditions.append(AuditEvent.action == action)
    if user_id:
        conditions.append(AuditEvent.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .where(*conditions)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage(events=list(events), page=page, pages=pages, total=total)


def known_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def actors(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))
