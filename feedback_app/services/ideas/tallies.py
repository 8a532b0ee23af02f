"""The idea groups' counts per region (models IdeaGroupTally) and per stop (IdeaGroupStop),
rewritten by their writers.

The pages that rank the recurring ideas (dashboard, ideas page, briefs) read these rows: one
index range per kind, whatever the number of submissions. Unlike the stops' running counts
(services/capture/tally.py), they cannot be moved by differences: a group counts *distinct*
organisations and regions, and knowing whether a removed item was the last of its organisation
takes the group's other rows. So each writer recounts the groups it touched, from the rows, in
its own write transaction: the regrouping every group, a curation the groups it changed,
marking spam or taking it back the groups of that submission's items (`groups_of_submission`).

The same rows keep what a reader of one region (or HQ) sees of a group's words: its French and
Arabic automatic titles and its quotes (services/ideas/text.AutomaticTitles,
services/ideas/quotes.QuoteCandidates), chosen among that region's items (never another
region's) exactly as the pages would choose them from the rows. One read of the touched
groups' memberships, most central first, gives all of it. Quotes come from reviewed entries
only: a review (new to reviewed, or back) moves its entries among the few quote candidates
each row keeps, without that read (`review_changed`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from feedback_app.models import (
    EVERY_REGION,
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupStop,
    IdeaGroupTally,
    ItemKind,
    ReviewStatus,
    Submission,
    fold,
)
from feedback_app.services.ideas.quotes import QuoteCandidates
from feedback_app.services.ideas.text import AutomaticTitles

_CHUNK = 5000


@dataclass
class _Counts:
    kind: ItemKind
    items: int = 0
    organisations: set[str] = field(default_factory=set)
    regions: set[int] = field(default_factory=set)
    typical: tuple[float, int] | None = None  # (closeness, -item id): highest wins
    titles: AutomaticTitles = field(default_factory=AutomaticTitles)
    quotes: QuoteCandidates = field(default_factory=QuoteCandidates)

    def add(self, organisation: str, region_id: int, item_id: int, closeness: float) -> None:
        self.items += 1
        self.organisations.add(organisation)
        self.regions.add(region_id)
        candidate = (closeness, -item_id)
        if self.typical is None or candidate > self.typical:
            self.typical = candidate


def refresh(session: Session, group_ids: Collection[int] | None = None) -> None:
    """Recount these groups (None: every group) from their memberships, in the caller's write
    transaction. Only items outside spam count; a group with none keeps no row."""
    clear = delete(IdeaGroupTally)
    clear_stops = delete(IdeaGroupStop)
    # Most central first, in the order the pages' own reads rank members (queries.py).
    query = (
        select(
            GROUP_ID,
            IdeaGroup.kind,
            Submission.region_id,
            Submission.stop_id,
            Submission.organisation,
            Submission.status,
            IdeaGroupMember.item_id,
            IdeaGroupMember.closeness,
            FeedbackItem.text,
        )
        .select_from(IdeaGroupMember)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(Submission.status != ReviewStatus.SPAM)
        .order_by(IdeaGroupMember.group_id, IdeaGroupMember.closeness.desc(), FeedbackItem.id)
    )
    if group_ids is not None:
        ids = sorted(set(group_ids))
        if not ids:
            return
        clear = clear.where(IdeaGroupTally.group_id.in_(ids))
        clear_stops = clear_stops.where(IdeaGroupStop.group_id.in_(ids))
        query = query.where(IdeaGroupMember.group_id.in_(ids))
    counts: dict[tuple[int, int], _Counts] = {}
    at_stops: Counter[tuple[int, int]] = Counter()  # (group, stop) -> items
    folded: dict[str, str] = {}  # many items share an organisation: fold each name once
    for (
        gid,
        kind,
        region_id,
        stop_id,
        organisation,
        status,
        item_id,
        closeness,
        text,
    ) in session.execute(query.execution_options(yield_per=_CHUNK)):
        at_stops[gid, stop_id] += 1
        name = folded.get(organisation)
        if name is None:
            name = folded[organisation] = fold(organisation)
        for region in (region_id, EVERY_REGION):
            row = counts.get((gid, region))
            if row is None:
                row = counts[(gid, region)] = _Counts(ItemKind(kind))
            row.add(name, region_id, item_id, closeness)
            row.titles.offer(text)
            if status == ReviewStatus.REVIEWED:
                row.quotes.offer(text, organisation, (closeness, item_id))
    session.execute(clear)
    session.execute(clear_stops)
    rows = [
        {
            "group_id": gid,
            "region_id": region,
            "kind": row.kind,
            "items": row.items,
            "organisations": len(row.organisations),
            "regions": len(row.regions),
            "typical_item_id": -row.typical[1] if row.typical else None,
            "title_fr": row.titles.titles[0],
            "title_ar": row.titles.titles[1],
            **_words(row.quotes),
        }
        for (gid, region), row in sorted(counts.items())
    ]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(IdeaGroupTally), rows[start : start + _CHUNK])
    stops = [
        {"group_id": gid, "stop_id": stop_id, "items": items}
        for (gid, stop_id), items in sorted(at_stops.items())
    ]
    for start in range(0, len(stops), _CHUNK):
        session.execute(insert(IdeaGroupStop), stops[start : start + _CHUNK])


def _words(kept: QuoteCandidates) -> dict[str, list[list[Any]]]:
    """The quotes and the candidates kept to choose them again, as the tally row holds them."""
    return {
        "quotes": [[q.text, q.language] for q in kept.quotes()],
        "quote_candidates": [
            [text, organisation, closeness, item_id]
            for text, organisation, (closeness, item_id) in kept.kept
        ],
    }


def status_changed(session: Session, submission: Submission, before: ReviewStatus) -> None:
    """Follow a submission's status change (already set, and flushed) in its groups' tallies:
    into or out of spam, the groups are recounted (`refresh`); between new and reviewed, only
    its entries' place among the quote candidates moves (`review_changed`)."""
    after = submission.status
    if (before is ReviewStatus.SPAM) != (after is ReviewStatus.SPAM):
        refresh(session, groups_of_submission(session, submission.id))
    elif status_moves_groups(before, after):
        review_changed(session, submission)


def review_changed(session: Session, submission: Submission) -> None:
    """The submission (outside spam) was marked reviewed, or no longer is: its grouped entries
    join, or leave, the quote candidates of their groups, in its region and nationally.

    A review is the desk's most frequent click, and the heaviest groups hold 100,000 entries
    at a million submissions: joining reads none of them (the candidates kept, with the new
    ones, choose the quotes of them all: services/ideas/quotes.QuoteCandidates). Leaving
    recounts only the groups where one of its entries was a kept candidate."""
    entries = session.execute(
        select(GROUP_ID, FeedbackItem.id, IdeaGroupMember.closeness, FeedbackItem.text)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .where(FeedbackItem.submission_id == submission.id, IdeaGroupMember.group_id.is_not(None))
    ).all()
    if not entries:
        return
    joining: dict[int, list[tuple[str, str, tuple[float, int]]]] = {}
    for gid, item_id, closeness, text in entries:
        joining.setdefault(gid, []).append((text, submission.organisation, (closeness, item_id)))
    # Locked: two reviews of entries of one group must not each write their own candidates.
    rows = session.execute(
        select(IdeaGroupTally.group_id, IdeaGroupTally.region_id, IdeaGroupTally.quote_candidates)
        .where(
            IdeaGroupTally.group_id.in_(sorted(joining)),
            IdeaGroupTally.region_id.in_((submission.region_id, EVERY_REGION)),
        )
        .order_by(IdeaGroupTally.group_id, IdeaGroupTally.region_id)
        .with_for_update()
    ).all()
    if submission.status is not ReviewStatus.REVIEWED:
        items = {item_id for _gid, item_id, _c, _t in entries}
        refresh(
            session,
            {gid for gid, _r, kept in rows if any(c[3] in items for c in kept)},
        )
        return
    for gid, region, kept in rows:
        candidates = QuoteCandidates.of(
            (text, org, (closeness, item_id)) for text, org, closeness, item_id in kept
        )
        for text, organisation, where in joining[gid]:
            candidates.add(text, organisation, where)
        session.execute(
            update(IdeaGroupTally)
            .where(IdeaGroupTally.group_id == gid, IdeaGroupTally.region_id == region)
            .values(**_words(candidates))
        )


def status_moves_groups(before: ReviewStatus, after: ReviewStatus) -> bool:
    """Whether a submission going from `before` to `after` changes its groups' tallies: spam
    counts nothing, and only reviewed entries are quoted."""
    return (before is ReviewStatus.SPAM) != (after is ReviewStatus.SPAM) or (
        before is ReviewStatus.REVIEWED
    ) != (after is ReviewStatus.REVIEWED)


def groups_of_submission(session: Session, submission_id: int) -> list[int]:
    """The groups holding an item of this submission (whose counts its spam status moves)."""
    return list(
        session.scalars(
            select(GROUP_ID)
            .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
            .where(
                FeedbackItem.submission_id == submission_id,
                IdeaGroupMember.group_id.is_not(None),
            )
            .distinct()
        )
    )
