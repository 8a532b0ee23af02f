"""What the public follow-up pages show: no sign-in, so no personal data and nothing unreviewed.

- A region's page: figures of its reviewed contributions and entries, its recurring ideas that
  a person titled (`title_locked`; never an entry's own words), counted on reviewed entries
  only, then its commitments and the national ones, with status, progress, milestones and the
  public reason of every change.
- A receipt reference's page: when and where, the kinds of its entries, the titled groups
  they joined and the commitments answering them. A reference that is malformed, unknown or
  marked as spam is NotFound, all alike.

A region's page is the same for every reader of a language, so what it shows is computed once
per change and kept in each worker's memory (`region_followup`), like the live screen's ideas:
the key is read from the database on every request (the regrouping stamp and
the curation counter, the commitments' stamp, the region's reviewed figures, which are the
stops' running counts (services/capture/tally.py), and its last review), so a review, a
commitment or a curation in any worker is seen by every worker's next request. Only
plain values are kept (no ORM object, nothing about the request): the page around them is
rendered for each request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from feedback_app.models import (
    GROUP_ID,
    Commitment,
    CommitmentStatus,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupTitle,
    ItemKind,
    Region,
    ReviewStatus,
    StopTally,
    Submission,
    TourStop,
    commitment_groups,
    commitment_items,
    commitment_regions,
)
from feedback_app.models.tally import REVIEWED
from feedback_app.services.access import Scope
from feedback_app.services.codes import is_receipt_reference
from feedback_app.services.errors import NotFound
from feedback_app.services.followup.commitments import (
    children_of,
    list_commitments,
    rolled_progress,
)
from feedback_app.services.followup.links import linked_groups
from feedback_app.services.followup.outputs import commitments_stamp
from feedback_app.services.ideas.queries import MIN_ITEMS
from feedback_app.services.ideas.titles import groups_version, person_titles

TOP_IDEAS = 10


@dataclass(frozen=True)
class HeardIdea:
    group_id: int
    title: str
    kind: str
    entries: int  # reviewed entries of the region in the group


@dataclass(frozen=True)
class ChangeView:
    status: str
    progress: int
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class MilestoneView:
    due: dt.date
    label: str
    done: bool


@dataclass(frozen=True)
class CommitmentView:
    id: int
    title: str
    description: str
    owner: str
    national: bool
    regions: tuple[str, ...]  # slugs
    status: str
    progress: int
    milestones: tuple[MilestoneView, ...]
    changes: tuple[ChangeView, ...]  # newest first
    ideas: tuple[str, ...]  # titles of the linked groups that people titled
    children: tuple[str, ...] = ()  # titles of the regional commitments it groups

    @property
    def last_reason(self) -> str:
        return self.changes[0].reason if self.changes else ""


@dataclass(frozen=True)
class RegionFollowup:
    slug: str
    name: str  # in the language it was built for
    contributions: int
    entries: dict[str, int]  # kind -> reviewed entries
    ideas: tuple[HeardIdea, ...]
    commitments: tuple[CommitmentView, ...]  # the region's own
    national: tuple[CommitmentView, ...]
    version: tuple[object, ...] = ()  # changes whenever anything above does (for a language)

    @property
    def entry_total(self) -> int:
        return sum(self.entries.values())


def region_by_slug(session: Session, slug: str) -> Region:
    region = session.scalar(select(Region).where(Region.slug == slug[:60]))
    if region is None:
        raise NotFound(slug)
    return region


def _reviewed_counts(session: Session, region_id: int, group_ids: Sequence[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    rows = session.execute(
        select(GROUP_ID, func.count())
        .select_from(IdeaGroupMember)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(
            IdeaGroupMember.group_id.in_(list(group_ids)),
            Submission.region_id == region_id,
            Submission.status == ReviewStatus.REVIEWED,
        )
        .group_by(IdeaGroupMember.group_id)
    )
    return {group_id: count for group_id, count in rows}


def heard_ideas(session: Session, region_id: int, limit: int = TOP_IDEAS) -> list[HeardIdea]:
    """The region's most recurring ideas among the groups a person titled (HQ's national title
    or the region's own), counted on its reviewed entries only."""
    # Titled groups are few: counting from them lets the database start from the few groups
    # rather than from every entry of the region (bench/followup.py).
    candidates = set(session.scalars(select(IdeaGroup.id).where(IdeaGroup.title_locked.is_(True))))
    candidates.update(
        session.scalars(
            select(IdeaGroupTitle.group_id).where(IdeaGroupTitle.region_id == region_id)
        )
    )
    counts = _reviewed_counts(session, region_id, sorted(candidates))
    shown = sorted(gid for gid, n in counts.items() if n >= MIN_ITEMS)
    titles = person_titles(session, {gid: {region_id} for gid in shown})
    kinds = {
        gid: kind
        for gid, kind in session.execute(
            select(IdeaGroup.id, IdeaGroup.kind).where(IdeaGroup.id.in_(shown))
        )
    }
    ideas = [
        HeardIdea(gid, titles[gid], ItemKind(kinds[gid]).value, counts[gid])
        for gid in shown
        if titles.get(gid)
    ]
    ideas.sort(key=lambda i: (-i.entries, i.group_id))
    return ideas[:limit]


def _group_titles(session: Session, group_ids: Iterable[int]) -> dict[int, str]:
    """HQ's titles (a person wrote them, for the whole country) of the given groups that hold
    at least MIN_ITEMS entries outside spam: what a national reader sees of them."""
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    count = func.count(IdeaGroupMember.item_id)
    rows = session.execute(
        select(IdeaGroup.id, IdeaGroup.title)
        .join(IdeaGroupMember, IdeaGroupMember.group_id == IdeaGroup.id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(
            IdeaGroup.id.in_(ids),
            IdeaGroup.title_locked.is_(True),
            Submission.status != ReviewStatus.SPAM,
        )
        .group_by(IdeaGroup.id, IdeaGroup.title)
        .having(count >= MIN_ITEMS)
    )
    return {gid: title for gid, title in rows}


def commitment_views(
    session: Session, commitments: Sequence[Commitment], language: str
) -> list[CommitmentView]:
    ids = [c.id for c in commitments]
    groups = linked_groups(session, ids)
    titles = _group_titles(session, [g for gs in groups.values() for g in gs])
    children = children_of(session, ids)
    views = []
    for c in commitments:
        kids = children[c.id]
        views.append(
            CommitmentView(
                id=c.id,
                title=c.title_for(language),
                description=c.description_for(language),
                owner=c.owner,
                national=c.national,
                regions=tuple(r.slug for r in c.regions),
                status=c.status.value,
                progress=rolled_progress(c, kids),
                milestones=tuple(
                    MilestoneView(m.due, m.label_for(language), m.done) for m in c.milestones
                ),
                changes=tuple(
                    ChangeView(ch.status.value, ch.progress, ch.reason, ch.created_at)
                    for ch in reversed(c.changes)
                ),
                ideas=tuple(titles[g] for g in groups[c.id] if g in titles),
                children=tuple(k.title_for(language) for k in kids),
            )
        )
    return views


Version = tuple[object, ...]
T = TypeVar("T")
_CACHE: dict[tuple[object, ...], tuple[Version, object]] = {}
_CACHE_LOCK = threading.Lock()


def _cached(key: tuple[object, ...], version: Version, build: Callable[[], T]) -> T:
    """`build()`'s answer, kept under `key` until `version` changes (keys: a few per region
    and language, bounded)."""
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None and found[0] == version:
        return cast(T, found[1])
    built = build()
    with _CACHE_LOCK:
        _CACHE[key] = (version, built)
    return built


def _reviewed_counts_of_region(session: Session, region_id: int) -> tuple[int, dict[str, int]]:
    """(reviewed contributions, kind -> reviewed entries) of the region, from its stops'
    running counts (services/capture/tally.py: a few rows per stop) instead of a count over
    every reviewed submission and item of the region (1.5 s at 1,000,000 submissions)."""
    entries = {kind.value: 0 for kind in ItemKind}
    shown = 0
    prefix = REVIEWED + ":"
    for kind, count in session.execute(
        select(StopTally.kind, func.sum(StopTally.count))
        .join(TourStop, TourStop.id == StopTally.stop_id)
        .where(
            TourStop.region_id == region_id,
            or_(StopTally.kind == REVIEWED, StopTally.kind.startswith(prefix)),
        )
        .group_by(StopTally.kind)
    ):
        if kind == REVIEWED:
            shown = int(count or 0)
        else:
            entries[ItemKind(kind.removeprefix(prefix)).value] = int(count or 0)
    return shown, entries


def _last_review(session: Session, region_id: int) -> str:
    """When a reviewed submission of the region last changed: one read down the (region,
    status, updated_at) index."""
    last = session.scalar(
        select(func.max(Submission.updated_at)).where(
            Submission.region_id == region_id, Submission.status == ReviewStatus.REVIEWED
        )
    )
    return str(last)


def region_followup(session: Session, slug: str, language: str) -> RegionFollowup:
    """The region's page as every reader of `language` sees it, from memory while nothing it
    shows has changed (see the module's note). Two halves, each kept until what it shows
    changes: what was heard (the region's reviews, and the groups: regrouping, curation),
    and what was decided (the commitments: texts, links, status, milestones, and the groups'
    titles). A commitment's change leaves the counts alone, a review leaves the commitments."""
    region = region_by_slug(session, slug)
    database = str(session.get_bind().engine.url)
    # What was heard changes when the reviewed figures do (an unreview or a spam mark lowers
    # the reviewed entries) or a reviewed submission changes (reviews bump `updated_at`).
    shown, entries = _reviewed_counts_of_region(session, region.id)
    groups = groups_version(session)
    heard = (*groups, shown, *sorted(entries.items()), _last_review(session, region.id))
    decided = (*groups, commitments_stamp(session))
    ideas = _cached(
        ("heard", database, region.id), heard, lambda: tuple(heard_ideas(session, region.id))
    )
    views = _cached(
        ("decided", database, region.id, language),
        decided,
        lambda: tuple(
            commitment_views(
                session, list_commitments(session, Scope(None, None), region_id=region.id), language
            )
        ),
    )
    return RegionFollowup(
        slug=region.slug,
        name=region.name_for(language),
        contributions=shown,
        entries=entries,
        ideas=ideas,
        commitments=tuple(v for v in views if not v.national),
        national=tuple(v for v in views if v.national),
        version=(database, region.id, language, *heard, *decided),
    )


def region_has_commitments(session: Session, region_id: int) -> bool:
    """Whether the region has commitments of its own (links to its follow-up appear then):
    one indexed EXISTS, cheap enough for every receipt."""
    query = select(commitment_regions.c.commitment_id).where(
        commitment_regions.c.region_id == region_id
    )
    return session.scalar(select(query.exists())) or False


@dataclass(frozen=True)
class ReferenceFollowup:
    reference: str
    created: dt.datetime
    stop: TourStop
    reviewed: bool
    kinds: dict[str, int]  # kind -> entries (reviewed submissions only)
    ideas: tuple[str, ...]  # titles of the groups its entries joined
    commitments: tuple[CommitmentView, ...]


def reference_followup(session: Session, reference: str, language: str) -> ReferenceFollowup:
    """The public view of one receipt reference; NotFound for anything else, all alike."""
    if not is_receipt_reference(reference):
        raise NotFound(reference)
    submission = session.scalar(
        select(Submission)
        .options(selectinload(Submission.items), selectinload(Submission.stop))
        .where(Submission.reference == reference.upper(), Submission.status != ReviewStatus.SPAM)
    )
    if submission is None:
        raise NotFound(reference)
    reviewed = submission.status is ReviewStatus.REVIEWED
    kinds: dict[str, int] = {}
    titles: dict[int, str] = {}
    commitments: list[Commitment] = []
    if reviewed:
        kinds = dict(Counter(item.kind.value for item in submission.items))
        item_ids = [item.id for item in submission.items]
        group_ids = set(
            session.scalars(
                select(GROUP_ID).where(
                    IdeaGroupMember.item_id.in_(item_ids), IdeaGroupMember.group_id.is_not(None)
                )
            )
        )
        titles = _group_titles(session, group_ids)
        answering = select(commitment_groups.c.commitment_id).where(
            commitment_groups.c.group_id.in_(sorted(group_ids))
        )
        direct = select(commitment_items.c.commitment_id).where(
            commitment_items.c.item_id.in_(item_ids)
        )
        commitments = list(
            session.scalars(
                select(Commitment)
                .options(
                    selectinload(Commitment.regions),
                    selectinload(Commitment.milestones),
                    selectinload(Commitment.changes),
                )
                .where(or_(Commitment.id.in_(answering), Commitment.id.in_(direct)))
                .order_by(Commitment.id)
            )
        )
    return ReferenceFollowup(
        reference=submission.reference,
        created=submission.created_at,
        stop=submission.stop,
        reviewed=reviewed,
        kinds=kinds,
        ideas=tuple(titles[g] for g in sorted(titles)),
        commitments=tuple(commitment_views(session, commitments, language)),
    )


STATUSES = tuple(s.value for s in CommitmentStatus)
