"""The idea groups' counts per region (models IdeaGroupTally) and per stop (IdeaGroupStop),
rewritten by their writers.

The pages that rank the recurring ideas (dashboard, ideas page, briefs) read these rows: one
index range per kind, whatever the number of submissions. The regrouping and a curation
recount the groups they touched, from the rows, in their own write transaction (`refresh`).
Marking spam or taking it back moves the rows of the submission's groups by difference
(`spam_changed`): a group counts *distinct* organisations and regions, so whether an entry was
the last of its organisation is asked of the index (ix_submissions_organisation_region), and
whether it was the last of its region of the region's own row.

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

import numpy as np
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from feedback_app.models import (
    EVERY_REGION,
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupStop,
    IdeaGroupTally,
    IdeaItemVector,
    ItemKind,
    ReviewStatus,
    Submission,
    fold,
)
from feedback_app.models.search import capped_fold, folded_organisation
from feedback_app.services.ideas.quotes import (
    QUOTE_PAGE,
    Candidate,
    Page,
    QuoteCandidates,
    Rest,
    Texts,
    chosen_again,
    counted_texts,
    moved_texts,
)
from feedback_app.services.ideas.text import TITLE_CANDIDATES, AutomaticTitles
from feedback_app.services.ideas.vectors import ENCODER, from_blobs

_CHUNK = 5000
_CENTRE = np.dtype("<f4")


class _Centres:
    """The sums of the members' sentence vectors per tally row (`IdeaGroupTally.centre`): added
    per group and region a chunk of members at a time (one read of the chunk's vectors, one
    sum per row of the chunk); a group's national sum is the sum of its regions'."""

    def __init__(self) -> None:
        self.sums: dict[tuple[int, int], np.ndarray] = {}
        self._keys: list[tuple[int, int]] = []
        self._blobs: list[bytes] = []

    def add(self, gid: int, region_id: int, blob: bytes | None) -> None:
        if blob:
            self._keys.append((gid, region_id))
            self._blobs.append(blob)
            if len(self._blobs) >= _CHUNK:
                self._flush()

    def _flush(self) -> None:
        if not self._blobs:
            return
        rows: dict[tuple[int, int], int] = {}
        index = np.asarray([rows.setdefault(key, len(rows)) for key in self._keys])
        order = np.argsort(index, kind="stable")
        starts = np.flatnonzero(np.r_[True, index[order][1:] != index[order][:-1]])
        sums = np.add.reduceat(from_blobs(self._blobs)[order], starts, axis=0)
        for key, row in zip(rows, sums, strict=True):  # rows in first-seen order, as `starts`
            if key in self.sums:
                self.sums[key] += row
            else:
                self.sums[key] = row
            national = (key[0], EVERY_REGION)
            if national in self.sums:
                self.sums[national] += row
            else:
                self.sums[national] = row.copy()
        self._keys, self._blobs = [], []

    def blob(self, key: tuple[int, int]) -> bytes | None:
        """The row's sum; None when none of its items has a vector (yet: the page counts it
        from the members, services/ideas/neighbours.py)."""
        self._flush()
        found = self.sums.get(key)
        return None if found is None else centre_blob(found)


def centre_blob(vector: np.ndarray) -> bytes:
    """A centre as `IdeaGroupTally.centre` stores it."""
    return np.asarray(vector, dtype=_CENTRE).tobytes()


def centre_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_CENTRE)


@dataclass
class _Counts:
    kind: ItemKind
    items: int = 0
    organisations: set[str] = field(default_factory=set)
    regions: set[int] = field(default_factory=set)
    typical: tuple[float, int] | None = None  # (closeness, -item id): highest wins
    titles: AutomaticTitles = field(default_factory=AutomaticTitles)
    quotes: QuoteCandidates = field(default_factory=QuoteCandidates)
    texts: Counter[str] = field(default_factory=Counter)  # of the reviewed entries

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
            IdeaItemVector.vector,
        )
        .select_from(IdeaGroupMember)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .outerjoin(
            IdeaItemVector,
            and_(IdeaItemVector.item_id == FeedbackItem.id, IdeaItemVector.encoder == ENCODER),
        )
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
    centres = _Centres()
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
        vector,
    ) in session.execute(query.execution_options(yield_per=_CHUNK)):
        at_stops[gid, stop_id] += 1
        centres.add(gid, region_id, vector)
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
                row.texts[text] += 1
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
            "quote_texts": counted_texts(row.texts),
            "centre": centres.blob((gid, region)),
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
    into or out of spam, its entries leave or join the counts (`spam_changed`); between new and
    reviewed, only their place among the quote candidates moves (`review_changed`)."""
    after = submission.status
    if (before is ReviewStatus.SPAM) != (after is ReviewStatus.SPAM):
        spam_changed(session, submission, reviewed=ReviewStatus.REVIEWED in (before, after))
    elif status_moves_groups(before, after):
        review_changed(session, submission)


def review_changed(session: Session, submission: Submission) -> None:
    """The submission (outside spam) was marked reviewed, or no longer is: its grouped entries
    join, or leave, the quote candidates of their groups, in its region and nationally.

    A review is the desk's most frequent click, and the heaviest groups hold 100,000 entries
    at a million submissions: joining reads none of them (the candidates kept, with the new
    ones, choose the quotes of them all: services/ideas/quotes.QuoteCandidates). Leaving
    chooses the candidates again (their reviewed members, most central first, by pages) only
    in the rows where one of its entries was kept."""
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
        select(
            IdeaGroupTally.group_id,
            IdeaGroupTally.region_id,
            IdeaGroupTally.quote_candidates,
            IdeaGroupTally.quote_texts,
        )
        .where(
            IdeaGroupTally.group_id.in_(sorted(joining)),
            IdeaGroupTally.region_id.in_((submission.region_id, EVERY_REGION)),
        )
        .order_by(IdeaGroupTally.group_id, IdeaGroupTally.region_id)
        .with_for_update()
    ).all()
    if submission.status is not ReviewStatus.REVIEWED:
        items = {item_id for _gid, item_id, _c, _t in entries}
        for gid, region, kept, texts in rows:
            texts = moved_texts(texts, (text for text, _o, _w in joining[gid]), -1)
            values: dict[str, Any] = {"quote_texts": texts}
            if any(c[3] in items for c in kept):
                left = (kept, items, submission, texts)
                values.update(_words(_quote_candidates(session, gid, region, left)))
            session.execute(
                update(IdeaGroupTally)
                .where(IdeaGroupTally.group_id == gid, IdeaGroupTally.region_id == region)
                .values(**values)
            )
        return
    for gid, region, kept, texts in rows:
        candidates = QuoteCandidates.of(
            (text, org, (closeness, item_id)) for text, org, closeness, item_id in kept
        )
        for text, organisation, where in joining[gid]:
            candidates.add(text, organisation, where)
        session.execute(
            update(IdeaGroupTally)
            .where(IdeaGroupTally.group_id == gid, IdeaGroupTally.region_id == region)
            .values(
                **_words(candidates),
                quote_texts=moved_texts(texts, (text for text, _o, _w in joining[gid]), 1),
            )
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


# (item id, closeness, text) of a submission's entries in one group, most central first.
_Entry = tuple[int, float, str]
# Of an organisation's other submissions in a group, how many are read to compare them folded
# (models/search.py folded_organisation is capped, fold is not): past it, the group is recounted.
_SAME_ORGANISATION = 50
# The first page of a group's members walked again for its quote candidates (a module
# constant so that the tests can walk small groups by pages).
_QUOTE_PAGE = QUOTE_PAGE
# Each next page four times the last: a region's reviewed entries are sparse in its group's
# order (one member in 46 for a region of a twelfth), ten times overshot what was needed.
_QUOTE_GROW = 4
# Of an organisation's reviewed entries in a group, how many are read for its next Arabic one
# (`_next_of`); past it, the group's members are read on instead.
_OWN_ENTRIES = 500


def spam_changed(session: Session, submission: Submission, *, reviewed: bool) -> None:
    """The submission (status already set, and flushed) was marked spam, or taken back: its
    grouped entries leave, or join, the tallies of their groups in its region and nationally;
    `reviewed`: they were (leaving) or are (joining) reviewed entries, which quotes are of.

    By difference, without reading the groups' members (the heaviest hold 170,000 entries at a
    million submissions, recounted in 12.6 to 16.2 s): the items move by the entries' number; an
    organisation, or a region, only when no other member of the group in that scope shares it
    (one indexed look-up per group: ix_submissions_organisation_region; the region's own row
    answers for the region). The titles and the most typical item are read again (the
    TITLE_CANDIDATES most central members) only when an entry is, or was, among those they
    are chosen from; the quote candidates only when an entry was one of them (leaving) or is
    reviewed (joining: added to them, `QuoteCandidates.add`). Equal to `refresh` (the tests
    compare them on random tours)."""
    spam = submission.status is ReviewStatus.SPAM
    organisation = submission.organisation
    entries: dict[int, list[_Entry]] = {}
    kinds: dict[int, ItemKind] = {}
    for gid, kind, item_id, closeness, text in session.execute(
        select(
            GROUP_ID, IdeaGroup.kind, FeedbackItem.id, IdeaGroupMember.closeness, FeedbackItem.text
        )
        .select_from(IdeaGroupMember)
        .join(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .where(FeedbackItem.submission_id == submission.id)
        .order_by(IdeaGroupMember.group_id, IdeaGroupMember.closeness.desc(), FeedbackItem.id)
    ):
        entries.setdefault(gid, []).append((item_id, closeness, text))
        kinds[gid] = ItemKind(kind)
    if not entries:
        return
    if capped_fold(organisation) != fold(organisation):
        # Its indexed form is cut short: other organisations may share it (rare; recounted).
        refresh(session, entries)
        return
    _follow_stops(session, submission, entries, spam=spam)
    # The entries' vectors move the centres as their number moves the items.
    vectors = _entry_vectors(session, entries)
    # Locked: two writers of one group's rows must not each move them from the same counts.
    rows = {
        (row.group_id, row.region_id): row
        for row in session.scalars(
            select(IdeaGroupTally)
            .where(
                IdeaGroupTally.group_id.in_(sorted(entries)),
                IdeaGroupTally.region_id.in_((submission.region_id, EVERY_REGION)),
            )
            .order_by(IdeaGroupTally.group_id, IdeaGroupTally.region_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    recount: list[int] = []
    for gid, own in entries.items():
        local = rows.get((gid, submission.region_id))
        # The region's row exists while another member of the group there is outside spam.
        region_stays = local is not None and (not spam or local.items > len(own))
        shared: bool | None = False
        for region in (submission.region_id, EVERY_REGION):
            # Shared in the region, shared nationally.
            if not shared:
                shared = _same_organisation(session, gid, region, submission)
            if shared is None:
                recount.append(gid)
                break
            kept = rows.get((gid, region))
            moved = _follow(
                session,
                rows.get((gid, region)),
                (gid, region, kinds[gid]),
                submission,
                own,
                organisation_shared=shared,
                region_shared=region == EVERY_REGION and region_stays,
                reviewed=reviewed,
            )
            moving = vectors[gid]
            if moved is not None:
                rows[(gid, region)] = moved
                moved.centre = None if moving is None else centre_blob(moving)
            elif kept is not None and kept.centre is not None and moving is not None:
                sign = -1 if spam else 1
                kept.centre = centre_blob(centre_of(kept.centre) + sign * moving)
    session.flush()
    if recount:
        refresh(session, recount)


def _entry_vectors(
    session: Session, entries: dict[int, list[_Entry]]
) -> dict[int, np.ndarray | None]:
    """Per group, the sum of the vectors of these entries; None when none has one."""
    blobs = dict(
        session.execute(
            select(IdeaItemVector.item_id, IdeaItemVector.vector).where(
                IdeaItemVector.item_id.in_(
                    sorted(item_id for own in entries.values() for item_id, _c, _t in own)
                ),
                IdeaItemVector.encoder == ENCODER,
            )
        ).all()
    )
    return {
        gid: from_blobs([blobs.get(item_id) for item_id, _c, _t in own]).sum(axis=0)
        if any(item_id in blobs for item_id, _c, _t in own)
        else None
        for gid, own in entries.items()
    }


def _follow_stops(
    session: Session, submission: Submission, entries: dict[int, list[_Entry]], *, spam: bool
) -> None:
    """Move the groups' items at the submission's stop (`IdeaGroupStop`, what the signed-stop
    locks read) by its entries leaving (spam) or joining; a row is kept only while it counts
    some. A group recounted afterwards has its rows rewritten by `refresh` anyway."""
    rows = {
        row.group_id: row
        for row in session.scalars(
            select(IdeaGroupStop)
            .where(
                IdeaGroupStop.group_id.in_(sorted(entries)),
                IdeaGroupStop.stop_id == submission.stop_id,
            )
            .order_by(IdeaGroupStop.group_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for gid, own in entries.items():
        row = rows.get(gid)
        if not spam:
            if row is None:
                session.add(IdeaGroupStop(group_id=gid, stop_id=submission.stop_id, items=len(own)))
            else:
                row.items += len(own)
        elif row is not None and row.items > len(own):
            row.items -= len(own)
        elif row is not None:
            session.delete(row)


def _follow(
    session: Session,
    row: IdeaGroupTally | None,
    where: tuple[int, int, ItemKind],
    submission: Submission,
    own: list[_Entry],
    *,
    organisation_shared: bool,
    region_shared: bool,
    reviewed: bool,
) -> IdeaGroupTally | None:
    """Move one tally row (group, region) by the submission's entries `own` leaving (spam) or
    joining; the row added, if any."""
    gid, region, kind = where
    spam = submission.status is ReviewStatus.SPAM
    if spam:
        assert row is not None, "a counted entry has its tally row"
        if row.items <= len(own):
            session.delete(row)
            return None
        row.items -= len(own)
        row.organisations -= 0 if organisation_shared else 1
        if region == EVERY_REGION:
            row.regions -= 0 if region_shared else 1
        if _in_titles(session, gid, region, submission, own[0]):
            _titles(session, row, gid, region)
        if not reviewed:
            return None
        row.quote_texts = moved_texts(row.quote_texts, (text for _i, _c, text in own), -1)
        own_ids = {item_id for item_id, _c, _t in own}
        if any(c[3] in own_ids for c in row.quote_candidates):
            left = (row.quote_candidates, own_ids, submission, row.quote_texts)
            _set_words(row, _quote_candidates(session, gid, region, left))
        return None
    if row is None:
        # No other member outside spam in this scope: the entries are all it counts.
        titles = AutomaticTitles()
        candidates = QuoteCandidates()
        for item_id, closeness, text in own:
            titles.offer(text)
            if reviewed:
                candidates.offer(text, submission.organisation, (closeness, item_id))
        row = IdeaGroupTally(
            group_id=gid,
            region_id=region,
            kind=kind,
            items=len(own),
            organisations=1,
            regions=1,
            typical_item_id=own[0][0],
            title_fr=titles.titles[0],
            title_ar=titles.titles[1],
            **_words(candidates),
            quote_texts=counted_texts(Counter(text for _i, _c, text in own) if reviewed else {}),
        )
        session.add(row)
        return row
    row.items += len(own)
    row.organisations += 0 if organisation_shared else 1
    if region == EVERY_REGION:
        row.regions += 0 if region_shared else 1
    if _in_titles(session, gid, region, submission, own[0]):
        _titles(session, row, gid, region)
    if reviewed:
        candidates = QuoteCandidates.of(
            (text, org, (closeness, item_id))
            for text, org, closeness, item_id in row.quote_candidates
        )
        for item_id, closeness, text in own:
            candidates.add(text, submission.organisation, (closeness, item_id))
        _set_words(row, candidates)
        row.quote_texts = moved_texts(row.quote_texts, (text for _i, _c, text in own), 1)
    return None


def _set_words(row: IdeaGroupTally, kept: QuoteCandidates) -> None:
    words = _words(kept)
    row.quotes = words["quotes"]
    row.quote_candidates = words["quote_candidates"]


def _members(gid: int, region: int, *columns: Any) -> Select[Any]:
    """The group's members outside spam (in the region, or in any: EVERY_REGION), most central
    first as `refresh` reads them; through ix_idea_group_members_central."""
    query = (
        select(*columns)
        .select_from(IdeaGroupMember)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(IdeaGroupMember.group_id == gid, Submission.status != ReviewStatus.SPAM)
        .order_by(IdeaGroupMember.closeness.desc(), IdeaGroupMember.item_id)
    )
    if region != EVERY_REGION:
        query = query.where(Submission.region_id == region)
    return query


def _in_titles(
    session: Session, gid: int, region: int, submission: Submission, best: _Entry
) -> bool:
    """Whether the submission's most central entry `best` is (joining) or was (leaving) among
    the TITLE_CANDIDATES most central members the titles and the typical item come from: fewer
    than that many other members come before it."""
    item_id, closeness, _text = best
    before = (
        _members(gid, region, IdeaGroupMember.item_id)
        .where(
            FeedbackItem.submission_id != submission.id,
            or_(
                IdeaGroupMember.closeness > closeness,
                and_(IdeaGroupMember.closeness == closeness, IdeaGroupMember.item_id < item_id),
            ),
        )
        .limit(TITLE_CANDIDATES)
        .subquery()
    )
    return (session.scalar(select(func.count()).select_from(before)) or 0) < TITLE_CANDIDATES


def _titles(session: Session, row: IdeaGroupTally, gid: int, region: int) -> None:
    """The row's titles and typical item again, from the TITLE_CANDIDATES most central."""
    titles = AutomaticTitles()
    first: int | None = None
    for item_id, text in session.execute(
        _members(gid, region, IdeaGroupMember.item_id, FeedbackItem.text).limit(TITLE_CANDIDATES)
    ):
        first = item_id if first is None else first
        titles.offer(text)
    row.typical_item_id = first
    row.title_fr, row.title_ar = titles.titles


def _quote_candidates(
    session: Session,
    gid: int,
    region: int,
    left: tuple[list[list[Any]], Collection[int], Submission, Texts | None] | None = None,
) -> QuoteCandidates:
    """The quote candidates chosen again among the reviewed members in the scope, the group's
    members walked most central first by pages (`quotes.chosen_again`) until nothing later
    can be kept or none are left.

    `left`: the candidates kept before, the entries (item ids) of the submission that just
    left them, and the texts of the reviewed entries left, counted (None: too many). What the
    kept ones tell of the entries left (`QuoteCandidates.left_by`) and the texts end the read
    as soon as nothing later can be kept: without them, a group of entries saying one text
    (or with no Arabic entries from two organisations) was read to its end (160-280 ms a
    group at a million submissions)."""
    rest: Rest | None = None
    texts: dict[str, int] | None = None
    if left is not None:
        kept, items, submission, counted = left
        texts = None if counted is None else {text: count for text, count in counted}
        rest = QuoteCandidates.of(
            (text, org, (closeness, item_id)) for text, org, closeness, item_id in kept
        ).left_by(items, submission.organisation)
        if rest.ask is not None:
            _next_of(session, gid, region, submission, rest)

    def read(after: tuple[float, int] | None, limit: int) -> Page:
        # The members page first (LIMIT in a subquery: walked through
        # ix_idea_group_members_central), then its reviewed entries in the scope. Filtered in
        # one query, a region's few were found by sorting the whole group (27,000 buffers for
        # 50 entries of a group of 3,600 at 100,000 submissions).
        walked = select(IdeaGroupMember.item_id, IdeaGroupMember.closeness).where(
            IdeaGroupMember.group_id == gid
        )
        if after is not None:
            walked = walked.where(
                or_(
                    IdeaGroupMember.closeness < after[0],
                    and_(IdeaGroupMember.closeness == after[0], IdeaGroupMember.item_id > after[1]),
                )
            )
        walked = walked.order_by(IdeaGroupMember.closeness.desc(), IdeaGroupMember.item_id)
        members = walked.limit(limit).subquery()
        entries = (
            select(
                FeedbackItem.text, Submission.organisation, members.c.closeness, members.c.item_id
            )
            .select_from(members)
            .join(FeedbackItem, FeedbackItem.id == members.c.item_id)
            .join(Submission, Submission.id == FeedbackItem.submission_id)
            .where(Submission.status == ReviewStatus.REVIEWED)
            .order_by(members.c.closeness.desc(), members.c.item_id)
        )
        if region != EVERY_REGION:
            entries = entries.where(Submission.region_id == region)
        found: list[Candidate] = [
            (text, organisation, (closeness, item_id))
            for text, organisation, closeness, item_id in session.execute(entries)
        ]
        last = session.execute(walked.offset(limit - 1).limit(1)).first()
        return found, None if last is None else (last[1], last[0])

    return chosen_again(read, rest, texts, _QUOTE_PAGE, _QUOTE_GROW)


def _next_of(session: Session, gid: int, region: int, submission: Submission, rest: Rest) -> None:
    """Complete `rest` with the next Arabic entry of the leaving submission's organisation (in
    the group and region): read among that organisation's reviewed entries, through
    ix_submissions_organisation_region, never the group's. Too many to read: left unknown."""
    query = (
        select(
            FeedbackItem.text,
            Submission.organisation,
            IdeaGroupMember.closeness,
            IdeaGroupMember.item_id,
        )
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .join(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .where(
            folded_organisation() == capped_fold(submission.organisation),
            Submission.status == ReviewStatus.REVIEWED,
            IdeaGroupMember.group_id == gid,
        )
        .limit(_OWN_ENTRIES)
    )
    if region != EVERY_REGION:
        query = query.where(Submission.region_id == region)
    found = session.execute(query).all()
    if len(found) == _OWN_ENTRIES:
        rest.arabic, rest.ask = None, None
        return
    rest.next_of((text, org, (closeness, item_id)) for text, org, closeness, item_id in found)


def _same_organisation(
    session: Session, gid: int, region: int, submission: Submission
) -> bool | None:
    """Whether another member of the group outside spam, in the region (or in any:
    EVERY_REGION), comes from the submission's organisation (compared folded); None when too
    many share its indexed form to tell."""
    query = (
        select(Submission.organisation)
        .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
        .join(IdeaGroupMember, IdeaGroupMember.item_id == FeedbackItem.id)
        .where(
            folded_organisation() == capped_fold(submission.organisation),
            Submission.id != submission.id,
            Submission.status != ReviewStatus.SPAM,
            IdeaGroupMember.group_id == gid,
        )
        .limit(_SAME_ORGANISATION)
    )
    if region != EVERY_REGION:
        query = query.where(Submission.region_id == region)
    names = session.scalars(query).all()
    mine = fold(submission.organisation)
    if any(fold(name) == mine for name in names):
        return True
    return None if len(names) == _SAME_ORGANISATION else False
