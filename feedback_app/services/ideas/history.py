"""What people decided about one group, read from the audit trail: merges, splits, renames,
confirmations, with who and when (the group's page tells them as sentences).

Within the reader's scope: a count of entries counts the entries the reader may see, and a
title a delegate gave their regions is shown only to a reader who sees every one of those
regions (services/ideas/titles.py: a delegate's words never leave their regions); other
readers learn that the group was renamed for other regions, not the words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from feedback_app.models import AuditEvent, FeedbackItem, Role, Submission
from feedback_app.services.access import Scope
from feedback_app.services.ideas.queries import GroupSummary, group_summary

ACTIONS = ("idea_group.merge", "idea_group.split", "idea_group.rename", "idea_group.confirm")


@dataclass(frozen=True)
class Decision:
    at: dt.datetime
    action: str  # merge, split, split_into (this group was made by a split), rename, confirm
    actor: str | None  # the person's name (None: the system, or an account since deleted)
    actor_role: Role | None
    entries: int = 0  # entries moved that the reader may see
    groups: tuple[int, ...] = ()  # merge: the groups merged in; split: the other group
    title: str | None = None  # rename: the words, when the reader may see them
    regional: bool = False  # rename: a delegate's title for their regions


def _visible_count(session: Session, scope: Scope, item_ids: object) -> int:
    ids = [i for i in item_ids if isinstance(i, int)] if isinstance(item_ids, list) else []
    if not ids:
        return 0
    query = (
        select(FeedbackItem.id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(FeedbackItem.id.in_(ids), scope.filter(Submission.region_id))
    )
    return len(session.scalars(query).all())


def _rename(scope: Scope, after: dict[str, object]) -> tuple[str | None, bool]:
    if "title" in after:
        return str(after["title"]), False
    titles = after.get("titles")
    if not isinstance(titles, dict) or not titles:
        return None, True
    regions = {int(r) for r in titles}
    words = {str(t) for t in titles.values()}
    if len(words) == 1 and all(scope.allows(r) for r in regions):
        return words.pop(), True
    return None, True


def group_history(
    session: Session, scope: Scope, group_id: int, *, summary: GroupSummary | None = None
) -> list[Decision]:
    """The decisions about the group, newest first (NotFound outside the scope; `summary`: the
    group's, already read for this scope)."""
    if summary is None:
        group_summary(session, scope, group_id)
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action.in_(ACTIONS),
            AuditEvent.target_type == "idea_group",
            or_(AuditEvent.target_id == group_id, AuditEvent.action == "idea_group.split"),
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()
    decisions = []
    for event in events:
        after, before = event.after or {}, event.before or {}
        action = event.action.removeprefix("idea_group.")
        if event.target_id != group_id:
            if action != "split" or after.get("new_group") != group_id:
                continue  # another group's split, not the one that made this group
            action = "split_into"
        user = event.user
        decision = Decision(
            at=event.created_at,
            action=action,
            actor=(user.name or user.email) if user else None,
            actor_role=user.role if user else None,
        )
        if action == "merge":
            others = before.get("groups")
            decision = replace(
                decision,
                entries=_visible_count(session, scope, after.get("items")),
                groups=tuple(g for g in others if isinstance(g, int))
                if isinstance(others, list)
                else (),
            )
        elif action in ("split", "split_into"):
            other = after.get("new_group") if action == "split" else event.target_id
            decision = replace(
                decision,
                entries=_visible_count(session, scope, after.get("items")),
                groups=(other,) if isinstance(other, int) else (),
            )
        elif action == "rename":
            title, regional = _rename(scope, after)
            decision = replace(decision, title=title, regional=regional)
        decisions.append(decision)
    return decisions
