"""Recording commitments and their progress (staff), within the caller's `Scope`.

Invariants:
- A delegate reads the commitments of their regions and the national ones; they create and
  change only commitments whose regions are all theirs (never a national one). Another
  region's commitment is NotFound, exactly like a missing one; HQ reads and changes all.
- Titles, descriptions, owners, reasons and milestone labels are cleaned like every text
  (services/text.py), length-limited, and refused when they carry HTML markup.
- Every status change needs a public reason and is kept (`StatusChange`); "done" means 100 %.
- A national commitment may group regional ones (`parent_id`); its shown progress is the mean
  of its children's, dropped ones left out (`rolled_progress`).
- Linked idea groups must be visible to the caller; linked entries must be shortlisted ones
  the caller sees.
- Every change is audited in its own transaction; a status change also queues one notice per
  person concerned (services/followup/notices.py) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from feedback_app.database import write_transaction
from feedback_app.models import (
    Commitment,
    CommitmentStatus,
    FeedbackItem,
    Milestone,
    Region,
    StatusChange,
    Submission,
    commitment_regions,
)
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.followup import links, notices
from feedback_app.services.ideas.queries import group_summary
from feedback_app.services.permissions import Permission
from feedback_app.services.text import clean_line, clean_multiline

MAX_TITLE = 200
MAX_OWNER = 200
MAX_DESCRIPTION = 4000
MAX_REASON = 1000
MAX_LABEL = 200
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")


@dataclass(frozen=True)
class CommitmentInput:
    """What a person typed (or a spreadsheet row holds), before cleaning."""

    title_fr: str = ""
    title_ar: str = ""
    title_en: str = ""
    description_fr: str = ""
    description_ar: str = ""
    description_en: str = ""
    owner: str = ""
    region_slugs: Sequence[str] = ()  # none: national
    parent_id: int | None = None
    group_ids: Sequence[int] = ()
    item_ids: Sequence[int] = ()


@dataclass(frozen=True)
class _Cleaned:
    texts: dict[str, str | None]
    regions: list[Region]
    parent_id: int | None
    group_ids: list[int]
    item_ids: list[int]


@dataclass
class _Errors:
    errors: dict[str, list[object]] = field(default_factory=dict)

    def add(self, name: str, message: object) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _text(
    errors: _Errors, name: str, value: str, limit: int, *, required: bool, multiline: bool
) -> str | None:
    cleaned = (clean_multiline if multiline else clean_line)(value or "")
    if not cleaned:
        if required:
            errors.add(name, _l("Ce champ est obligatoire."))
        return None
    if len(cleaned) > limit:
        errors.add(name, _l("%(max)d caractères au plus.", max=limit))
    elif _MARKUP.search(cleaned):
        errors.add(name, _l("Écrivez du texte simple, sans balises HTML."))
    return cleaned


def clean_reason(value: str, name: str = "reason") -> str:
    """A status change's public reason: required, plain text, 1,000 characters at most."""
    errors = _Errors()
    reason = _text(errors, name, value, MAX_REASON, required=True, multiline=True)
    errors.raise_any()
    assert reason is not None
    return reason


def _visible(scope: Scope) -> ColumnElement[bool] | None:
    """Commitments the scope may read: national ones, and those with a region in the scope."""
    if scope.is_everything:
        return None
    in_scope = exists().where(
        commitment_regions.c.commitment_id == Commitment.id,
        scope.filter(commitment_regions.c.region_id),
    )
    national = ~exists().where(commitment_regions.c.commitment_id == Commitment.id)
    return or_(in_scope, national)


def may_change(scope: Scope, commitment: Commitment) -> bool:
    """Record on this commitment: holders of commitments:record whose regions cover all of its
    regions; national commitments (no region) are for those who see every region (HQ)."""
    if not scope.can(Permission.COMMITMENTS_RECORD):
        return False
    if scope.is_everything:
        return True
    return bool(commitment.regions) and all(scope.allows(r.id) for r in commitment.regions)


def get_commitment(session: Session, scope: Scope, commitment_id: int) -> Commitment:
    """The commitment, if the scope may read it; NotFound otherwise."""
    if not 0 < commitment_id < 2**31:
        raise NotFound(commitment_id)
    query = (
        select(Commitment)
        .options(
            selectinload(Commitment.regions),
            selectinload(Commitment.milestones),
            selectinload(Commitment.changes),
        )
        .where(Commitment.id == commitment_id)
    )
    condition = _visible(scope)
    if condition is not None:
        query = query.where(condition)
    found = session.scalar(query)
    if found is None:
        raise NotFound(commitment_id)
    return found


def _writable(session: Session, scope: Scope, commitment_id: int) -> Commitment:
    scope.ensure(Permission.COMMITMENTS_RECORD)
    commitment = get_commitment(session, scope, commitment_id)
    if not may_change(scope, commitment):
        raise NotFound(commitment_id)
    return commitment


def list_commitments(
    session: Session, scope: Scope, *, region_id: int | None = None
) -> list[Commitment]:
    """Every commitment the scope reads (of one region and the national ones, if given),
    national first, then newest first."""
    query = select(Commitment).options(
        selectinload(Commitment.regions),
        selectinload(Commitment.milestones),
        selectinload(Commitment.changes),
    )
    condition = _visible(scope)
    if condition is not None:
        query = query.where(condition)
    if region_id is not None:
        in_region = exists().where(
            commitment_regions.c.commitment_id == Commitment.id,
            commitment_regions.c.region_id == region_id,
        )
        national = ~exists().where(commitment_regions.c.commitment_id == Commitment.id)
        query = query.where(or_(in_region, national))
    rows = list(session.scalars(query.order_by(Commitment.id.desc())))
    rows.sort(key=lambda c: (not c.national,))
    return rows


def rolled_progress(commitment: Commitment, children: Iterable[Commitment]) -> int:
    """A grouping commitment's progress: its children's mean (dropped ones left out)."""
    counted = [c.progress for c in children if c.status is not CommitmentStatus.DROPPED]
    if not counted:
        return commitment.progress
    return round(sum(counted) / len(counted))


def children_of(session: Session, commitment_ids: Iterable[int]) -> dict[int, list[Commitment]]:
    ids = list(commitment_ids)
    found: dict[int, list[Commitment]] = {i: [] for i in ids}
    if ids:
        rows = session.scalars(
            select(Commitment).where(Commitment.parent_id.in_(ids)).order_by(Commitment.id)
        )
        for child in rows:
            assert child.parent_id is not None
            found[child.parent_id].append(child)
    return found


def _clean(
    session: Session, scope: Scope, data: CommitmentInput, *, own_id: int | None = None
) -> _Cleaned:
    scope.ensure(Permission.COMMITMENTS_RECORD)
    errors = _Errors()
    texts: dict[str, str | None] = {
        "title_fr": _text(
            errors, "title_fr", data.title_fr, MAX_TITLE, required=True, multiline=False
        ),
        "title_ar": _text(
            errors, "title_ar", data.title_ar, MAX_TITLE, required=True, multiline=False
        ),
        "title_en": _text(
            errors, "title_en", data.title_en, MAX_TITLE, required=False, multiline=False
        ),
        "description_fr": _text(
            errors,
            "description_fr",
            data.description_fr,
            MAX_DESCRIPTION,
            required=True,
            multiline=True,
        ),
        "description_ar": _text(
            errors,
            "description_ar",
            data.description_ar,
            MAX_DESCRIPTION,
            required=True,
            multiline=True,
        ),
        "description_en": _text(
            errors,
            "description_en",
            data.description_en,
            MAX_DESCRIPTION,
            required=False,
            multiline=True,
        ),
        "owner": _text(errors, "owner", data.owner, MAX_OWNER, required=True, multiline=False),
    }
    slugs = sorted({s for s in data.region_slugs if s})
    regions = list(session.scalars(select(Region).where(Region.slug.in_(slugs)))) if slugs else []
    if len(regions) != len(slugs) or any(not scope.allows(r.id) for r in regions):
        errors.add("regions", _l("Choisissez des régions que vous couvrez."))
    elif not regions and not scope.is_everything:
        errors.add("regions", _l("Seul le siège enregistre un engagement national."))
    parent = None
    if data.parent_id:
        parent = session.get(Commitment, data.parent_id) if 0 < data.parent_id < 2**31 else None
        if parent is None or parent.regions or parent.id == own_id:
            errors.add("parent_id", _l("Choisissez un engagement national."))
        elif not regions:
            errors.add("parent_id", _l("Seul un engagement régional peut être rattaché."))
    groups = sorted(set(data.group_ids))
    for group_id in groups:
        try:
            group_summary(session, scope, group_id)
        except NotFound:
            errors.add(
                "group_ids", _l("Idée récurrente n° %(number)d introuvable.", number=group_id)
            )
    items = sorted(set(data.item_ids))
    if items:
        visible = set(
            session.scalars(
                select(FeedbackItem.id)
                .join(Submission, Submission.id == FeedbackItem.submission_id)
                .where(
                    FeedbackItem.id.in_(items),
                    FeedbackItem.shortlisted.is_(True),
                    scope.filter(Submission.region_id),
                )
            )
        )
        for item_id in items:
            if item_id not in visible:
                errors.add(
                    "item_ids", _l("Élément retenu n° %(number)d introuvable.", number=item_id)
                )
    errors.raise_any()
    return _Cleaned(
        texts=texts,
        regions=regions,
        parent_id=parent.id if parent is not None else None,
        group_ids=groups,
        item_ids=items,
    )


def _snapshot(
    commitment: Commitment, group_ids: list[int], item_ids: list[int]
) -> dict[str, object]:
    return {
        "title_fr": commitment.title_fr,
        "title_ar": commitment.title_ar,
        "title_en": commitment.title_en,
        "description_fr": commitment.description_fr,
        "description_ar": commitment.description_ar,
        "description_en": commitment.description_en,
        "owner": commitment.owner,
        "regions": [r.slug for r in commitment.regions],
        "parent_id": commitment.parent_id,
        "groups": group_ids,
        "items": item_ids,
    }


def _apply(commitment: Commitment, values: _Cleaned) -> None:
    for name, text in values.texts.items():
        setattr(commitment, name, text)
    commitment.parent_id = values.parent_id
    commitment.regions = list(values.regions)


def _region_of(commitment: Commitment) -> int | None:
    return commitment.regions[0].id if len(commitment.regions) == 1 else None


def create_commitment(
    session: Session, scope: Scope, data: CommitmentInput, *, actor_id: int | None
) -> Commitment:
    values = _clean(session, scope, data)
    with write_transaction(session):
        commitment = Commitment(created_by=actor_id)
        _apply(commitment, values)
        session.add(commitment)
        session.flush()
        groups, items = values.group_ids, values.item_ids
        links.set_links(session, commitment.id, groups, items)
        audit.record(
            session,
            actor_id=actor_id,
            action="commitment.create",
            target_type="commitment",
            target_id=commitment.id,
            region_id=_region_of(commitment),
            after={**_snapshot(commitment, groups, items), "status": commitment.status},
        )
    return commitment


def update_commitment(
    session: Session,
    scope: Scope,
    commitment_id: int,
    data: CommitmentInput,
    *,
    actor_id: int | None,
) -> Commitment:
    """Change texts, owner, regions, grouping and links (not the status: `change_status`)."""
    with write_transaction(session):
        commitment = _writable(session, scope, commitment_id)
        values = _clean(session, scope, data, own_id=commitment.id)
        old_groups = links.linked_groups(session, [commitment.id])[commitment.id]
        old_items = links.linked_items(session, [commitment.id])[commitment.id]
        before = _snapshot(commitment, old_groups, old_items)
        _apply(commitment, values)
        groups, items = values.group_ids, values.item_ids
        links.set_links(session, commitment.id, groups, items)
        commitment.updated_at = utcnow()
        audit.record_change(
            session,
            before=before,
            after=_snapshot(commitment, groups, items),
            actor_id=actor_id,
            action="commitment.update",
            target_type="commitment",
            target_id=commitment.id,
            region_id=_region_of(commitment),
        )
    return commitment


def validate_change(
    status: CommitmentStatus | str, progress: int | None, reason: str
) -> tuple[CommitmentStatus, int, str]:
    """A status change as typed, cleaned; ValidationFailed names the fields at fault."""
    errors = _Errors()
    try:
        new_status = CommitmentStatus(status)
    except ValueError:
        errors.add("status", _l("Choisissez un statut de la liste."))
        new_status = CommitmentStatus.PLANNED
    if progress is None or not 0 <= progress <= 100:
        errors.add("progress", _l("Un pourcentage entre 0 et 100."))
    cleaned = _text(errors, "reason", reason, MAX_REASON, required=True, multiline=True)
    errors.raise_any()
    assert cleaned is not None and progress is not None
    # "Done" is done: 100 %, whatever was typed.
    return new_status, 100 if new_status is CommitmentStatus.DONE else progress, cleaned


def apply_change(
    session: Session,
    scope: Scope,
    commitment_id: int,
    change: tuple[CommitmentStatus, int, str],
    *,
    actor_id: int | None,
) -> StatusChange:
    """One validated change inside the caller's write transaction (see `change_status`)."""
    new_status, progress, reason = change
    commitment = _writable(session, scope, commitment_id)
    before = {"status": commitment.status, "progress": commitment.progress}
    status_changed = commitment.status is not new_status
    if not status_changed and commitment.progress == progress:
        raise ValidationFailed({"status": [_l("Ni le statut ni l'avancement ne changent.")]})
    commitment.status, commitment.progress = new_status, progress
    commitment.updated_at = utcnow()
    row = StatusChange(
        commitment=commitment,
        status=new_status,
        progress=progress,
        reason=reason,
        actor_id=actor_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="commitment.status",
        target_type="commitment",
        target_id=commitment.id,
        region_id=_region_of(commitment),
        before=before,
        after={"status": new_status, "progress": progress, "reason": reason},
    )
    if status_changed:
        notices.queue_notices(session, row)
    return row


def change_status(
    session: Session,
    scope: Scope,
    commitment_id: int,
    *,
    status: CommitmentStatus | str,
    progress: int | None,
    reason: str,
    actor_id: int | None,
) -> StatusChange:
    """A new status and/or progress with its public reason (kept, audited). When the status
    itself changes, the people whose ideas it answers get a notice (sent by the task queue:
    the caller enqueues `tasks.followup.send_notices` with the returned change's id)."""
    change = validate_change(status, progress, reason)
    with write_transaction(session):
        return apply_change(session, scope, commitment_id, change, actor_id=actor_id)


def _milestone_values(
    due: dt.date | None, label_fr: str, label_ar: str, label_en: str
) -> tuple[dt.date, str, str, str | None]:
    """A milestone as typed, cleaned; ValidationFailed names the fields at fault."""
    errors = _Errors()
    if due is None or not dt.date(2000, 1, 1) <= due <= dt.date(2100, 12, 31):
        errors.add("due", _l("Une date entre 2000 et 2100."))
    fr = _text(errors, "label_fr", label_fr, MAX_LABEL, required=True, multiline=False)
    ar = _text(errors, "label_ar", label_ar, MAX_LABEL, required=True, multiline=False)
    en = _text(errors, "label_en", label_en, MAX_LABEL, required=False, multiline=False)
    errors.raise_any()
    assert due is not None and fr is not None and ar is not None
    return due, fr, ar, en


def _milestone_snapshot(milestone: Milestone) -> dict[str, object]:
    return {
        "milestone": milestone.id,
        "due": milestone.due,
        "label_fr": milestone.label_fr,
        "label_ar": milestone.label_ar,
        "label_en": milestone.label_en,
        "done": milestone.done,
    }


def _milestone_changed(
    session: Session,
    commitment: Commitment,
    *,
    actor_id: int | None,
    before: dict[str, object] | None,
    after: dict[str, object],
) -> None:
    """A milestone of the commitment changed: audited, and the commitment's last change moves
    (the public page's cache keys on it)."""
    commitment.updated_at = utcnow()
    audit.record(
        session,
        actor_id=actor_id,
        action="commitment.milestone",
        target_type="commitment",
        target_id=commitment.id,
        region_id=_region_of(commitment),
        before=before,
        after=after,
    )


def _milestone_of(commitment: Commitment, milestone_id: int) -> Milestone:
    found = next((m for m in commitment.milestones if m.id == milestone_id), None)
    if found is None:
        raise NotFound(milestone_id)
    return found


def add_milestone(
    session: Session,
    scope: Scope,
    commitment_id: int,
    *,
    due: dt.date | None,
    label_fr: str,
    label_ar: str,
    label_en: str = "",
    actor_id: int | None,
) -> Milestone:
    due, fr, ar, en = _milestone_values(due, label_fr, label_ar, label_en)
    with write_transaction(session):
        commitment = _writable(session, scope, commitment_id)
        milestone = Milestone(commitment=commitment, due=due, label_fr=fr, label_ar=ar, label_en=en)
        session.add(milestone)
        session.flush()
        _milestone_changed(
            session,
            commitment,
            actor_id=actor_id,
            before=None,
            after={"milestone": milestone.id, "due": due, "label_fr": fr, "done": False},
        )
    return milestone


def update_milestone(
    session: Session,
    scope: Scope,
    commitment_id: int,
    milestone_id: int,
    *,
    due: dt.date | None,
    label_fr: str,
    label_ar: str,
    label_en: str = "",
    actor_id: int | None,
) -> Milestone:
    """New date and/or labels for a milestone (audited: what changed, before and after)."""
    due, fr, ar, en = _milestone_values(due, label_fr, label_ar, label_en)
    with write_transaction(session):
        commitment = _writable(session, scope, commitment_id)
        milestone = _milestone_of(commitment, milestone_id)
        before = _milestone_snapshot(milestone)
        milestone.due, milestone.label_fr, milestone.label_ar, milestone.label_en = due, fr, ar, en
        after = _milestone_snapshot(milestone)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            _milestone_changed(
                session,
                commitment,
                actor_id=actor_id,
                before={"milestone": milestone.id, **{k: before[k] for k in changed}},
                after={"milestone": milestone.id, **{k: after[k] for k in changed}},
            )
    return milestone


def remove_milestone(
    session: Session, scope: Scope, commitment_id: int, milestone_id: int, *, actor_id: int | None
) -> None:
    """Take a milestone off the commitment; the audit row keeps what it said."""
    with write_transaction(session):
        commitment = _writable(session, scope, commitment_id)
        milestone = _milestone_of(commitment, milestone_id)
        before = _milestone_snapshot(milestone)
        commitment.milestones.remove(milestone)  # delete-orphan: the row goes
        _milestone_changed(
            session,
            commitment,
            actor_id=actor_id,
            before=before,
            after={"milestone": milestone_id, "removed": True},
        )


def set_milestone_done(
    session: Session,
    scope: Scope,
    commitment_id: int,
    milestone_id: int,
    *,
    done: bool,
    actor_id: int | None,
) -> None:
    with write_transaction(session):
        commitment = _writable(session, scope, commitment_id)
        milestone = _milestone_of(commitment, milestone_id)
        if milestone.done is done:
            return
        milestone.done = done
        _milestone_changed(
            session,
            commitment,
            actor_id=actor_id,
            before={"milestone": milestone.id, "done": not done},
            after={"milestone": milestone.id, "done": done},
        )


def national_commitments(session: Session) -> list[Commitment]:
    """The national commitments a regional one may be grouped under."""
    national = ~exists().where(commitment_regions.c.commitment_id == Commitment.id)
    return list(session.scalars(select(Commitment).where(national).order_by(Commitment.id)))
