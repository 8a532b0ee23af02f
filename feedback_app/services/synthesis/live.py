"""What the live screen of a stop shows: counts, top themes, recurring ideas, a few texts.

Polled every few seconds by a screen in the room while people post, so every figure comes
from reads that do not grow with the submissions: the stop's tally rows (services/capture/tally.py),
the small theme table, and at most LIVE_TEXTS item texts found through an index.

No personal data ever: no organisation, name, contact or reference. Free text only from items a
reviewer shortlisted, unless HQ allowed the stop's screen to show the newest texts unreviewed.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from feedback_app.database import write_transaction
from feedback_app.models import (
    GROUP_ID,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupTitle,
    ReviewStatus,
    StopSignOff,
    Submission,
    Theme,
    TourStop,
)
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.capture import tally
from feedback_app.services.ideas.text import title_candidate
from feedback_app.services.ideas.titles import groups_version, person_titles
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stops import scoped_stop

TOP_THEMES = 5
LIVE_TEXTS = 6
TEXT_CHARS = 240

TOP_IDEAS = 5


@dataclass(frozen=True)
class Bilingual:
    fr: str
    ar: str


@dataclass(frozen=True)
class Ranked:
    label: Bilingual
    count: int


@dataclass(frozen=True)
class Idea:
    """A recurring idea on the screen: the title a person wrote (one text for both halves of
    the screen), else the stop's own most central entry in each language ("" in a language
    the stop's entries of the group do not use: the screen says so in that half)."""

    title: str
    count: int
    fr: str = ""
    ar: str = ""
    written: bool = False


@dataclass(frozen=True)
class LiveText:
    kind: str
    text: str


@dataclass(frozen=True)
class LiveFigures:
    stop_id: int
    city: Bilingual  # each half of the screen names the city in its own language
    date: dt.date
    region: Bilingual
    submissions: int
    by_kind: dict[str, int]
    top_themes: list[Ranked]
    ideas: list[Idea]
    texts: list[LiveText]
    unreviewed_texts: bool
    # Recurring ideas held back because nobody reviewed their title yet (0 when none is
    # missing from `ideas`): the screen says why its list is empty instead of "no data".
    ideas_waiting: int
    signed_at: dt.datetime | None  # the delegate's sign-off, when the stop is signed
    at: dt.datetime


def _texts(session: Session, stop: TourStop) -> list[LiveText]:
    query = (
        select(FeedbackItem.kind, FeedbackItem.text)
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(Submission.stop_id == stop.id, Submission.status != ReviewStatus.SPAM)
        .order_by(Submission.created_at.desc(), Submission.id.desc(), FeedbackItem.position)
        .limit(LIVE_TEXTS)
    )
    if not stop.live_shows_unreviewed:
        # Reviewed: what a reviewer kept. `= true` matches the partial shortlist index.
        query = query.where(FeedbackItem.shortlisted == true())
    return [LiveText(kind.value, _excerpt(text)) for kind, text in session.execute(query)]


def _excerpt(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1].rstrip() + "…"


def live_figures(session: Session, scope: Scope, stop_id: int) -> LiveFigures:
    """The live screen's figures for one stop of the scope (NotFound outside it)."""
    stop = scoped_stop(session, scope, stop_id, joinedload(TourStop.region))
    counts = tally.read_counts(session, stop.id)
    theme_totals: dict[int, int] = {}
    for per_theme in counts.by_theme.values():
        for theme_id, count in per_theme.items():
            theme_totals[theme_id] = theme_totals.get(theme_id, 0) + count
    names = {t.id: Bilingual(t.name_fr, t.name_ar) for t in session.scalars(select(Theme))}
    top = sorted(
        ((count, theme_id) for theme_id, count in theme_totals.items() if theme_id in names),
        key=lambda pair: (-pair[0], pair[1]),
    )[:TOP_THEMES]
    version = groups_version(session)
    ideas = stop_ideas(session, stop.id, unreviewed=stop.live_shows_unreviewed, version=version)
    figures = LiveFigures(
        stop_id=stop.id,
        city=Bilingual(stop.city, stop.city_for("ar")),
        date=stop.date,
        region=Bilingual(stop.region.name_fr, stop.region.name_ar),
        submissions=counts.submissions,
        by_kind=counts.by_kind,
        top_themes=[Ranked(names[theme_id], count) for count, theme_id in top],
        ideas=ideas,
        texts=_texts(session, stop),
        unreviewed_texts=stop.live_shows_unreviewed,
        ideas_waiting=(
            0
            if ideas or stop.live_shows_unreviewed or not counts.submissions
            else ideas_waiting(
                session, stop.id, (version, counts.submissions, *counts.by_kind.values())
            )
        ),
        signed_at=session.scalar(
            select(StopSignOff.signed_at).where(StopSignOff.stop_id == stop.id)
        ),
        at=utcnow(),
    )
    session.rollback()  # end the read transaction: a screen polls for hours
    return figures


_IDEAS_CACHE: dict[tuple[int, bool], tuple[object, list[Idea]]] = {}
_IDEAS_LOCK = threading.Lock()


def stop_ideas(
    session: Session, stop_id: int, *, unreviewed: bool, version: tuple[str, ...] | None = None
) -> list[Idea]:
    """The stop's most recurring ideas (idea groups holding two or more of its items).

    Groups only change when the regrouper runs or a person curates them, so the answer is
    computed once per such change and served from memory to the screens polling in between.
    The key is read from the database (services/ideas/titles.groups_version, one primary-key
    read), so a rename in one worker is seen by every worker's next poll. Reviewed text only:
    a group's title counts as reviewed when a person wrote it for the stop's region or for the
    whole country (never another region's delegate's words); otherwise, if HQ allows unreviewed
    text, the title is the stop's own most typical item of the group, never another region's.
    """
    if version is None:
        version = groups_version(session)
    key = (stop_id, unreviewed)
    with _IDEAS_LOCK:
        cached = _IDEAS_CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    ideas = _compute_ideas(session, stop_id, unreviewed=unreviewed)
    with _IDEAS_LOCK:
        if len(_IDEAS_CACHE) > 1000:  # a stop a day for years: drop, don't grow
            _IDEAS_CACHE.clear()
        _IDEAS_CACHE[key] = (version, ideas)
    return ideas


_WAITING_CACHE: dict[int, tuple[object, int]] = {}


def ideas_waiting(session: Session, stop_id: int, version: tuple[object, ...]) -> int:
    """How many ideas recur at the stop, reviewed or not, while none can be shown: a GROUP BY
    over the stop's entries and their memberships (tens of milliseconds at 30,000 entries a
    stop), so computed once per `version`: the groups' (`groups_version`) and the stop's
    counted figures (contributions and entries by kind, from its running counts: a new entry
    or a spam change moves them), and served from memory to the polls between."""
    with _IDEAS_LOCK:
        cached = _WAITING_CACHE.get(stop_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    waiting = _recurring(session, stop_id)
    with _IDEAS_LOCK:
        if len(_WAITING_CACHE) > 1000:  # as _IDEAS_CACHE
            _WAITING_CACHE.clear()
        _WAITING_CACHE[stop_id] = (version, waiting)
    return waiting


def _recurring_query(stop_id: int) -> Select[int, int]:
    """The idea groups holding two or more of the stop's items, with that count."""
    count = func.count(FeedbackItem.id)
    return (
        select(IdeaGroup.id, count)
        .join(IdeaGroupMember, IdeaGroupMember.group_id == IdeaGroup.id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(Submission.stop_id == stop_id, Submission.status != ReviewStatus.SPAM)
        .group_by(IdeaGroup.id)
        .having(count >= 2)
    )


def _recurring(session: Session, stop_id: int) -> int:
    """How many ideas recur at the stop, reviewed or not."""
    return (
        session.scalar(select(func.count()).select_from(_recurring_query(stop_id).subquery())) or 0
    )


def _compute_ideas(session: Session, stop_id: int, *, unreviewed: bool) -> list[Idea]:
    region_id = session.scalar(select(TourStop.region_id).where(TourStop.id == stop_id))
    query = (
        _recurring_query(stop_id)
        .order_by(func.count(FeedbackItem.id).desc(), IdeaGroup.id)
        .limit(TOP_IDEAS)
    )
    if not unreviewed:
        region_title = exists().where(
            IdeaGroupTitle.group_id == IdeaGroup.id, IdeaGroupTitle.region_id == region_id
        )
        query = query.where(or_(IdeaGroup.title_locked == true(), region_title))
    rows = session.execute(query).all()
    written = person_titles(session, {gid: {region_id} for gid, _n in rows if region_id})
    own_titles = _own_titles(session, stop_id, [gid for gid, _n in rows if gid not in written])
    ideas = []
    for gid, n in rows:
        if gid in written:
            title = _excerpt(written[gid])
            ideas.append(Idea(title, n, fr=title, ar=title, written=True))
        elif own := own_titles.get(gid):
            fr, ar = (_excerpt(own[lang]) if lang in own else "" for lang in ("fr", "ar"))
            ideas.append(Idea(fr or ar, n, fr=fr, ar=ar))
    return ideas


def _own_titles(session: Session, stop_id: int, group_ids: list[int]) -> dict[int, dict[str, str]]:
    """For each group, per language, the stop's own entry closest to the group's centre, as
    an automatic title (services/ideas/text.short_title: without its filler)."""
    if not group_ids:
        return {}
    rows = session.execute(
        select(GROUP_ID, FeedbackItem.text)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(
            IdeaGroupMember.group_id.in_(group_ids),
            Submission.stop_id == stop_id,
            Submission.status != ReviewStatus.SPAM,  # a spam text never titles an idea
        )
        .order_by(IdeaGroupMember.group_id, IdeaGroupMember.closeness.desc(), FeedbackItem.id)
    ).all()
    titles: dict[int, dict[str, str]] = {}
    for group_id, text in rows:
        if candidate := title_candidate(text):
            titles.setdefault(group_id, {}).setdefault(*candidate)
    return titles


def set_live_unreviewed(
    session: Session, scope: Scope, stop_id: int, allowed: bool, *, actor_id: int | None
) -> bool:
    """HQ's per-stop choice to show unreviewed texts on the live screen; False if unchanged."""
    scope.ensure(Permission.LIVE_CONFIGURE)
    with write_transaction(session):
        stop = scoped_stop(session, scope, stop_id)
        if stop.live_shows_unreviewed is allowed:
            return False
        audit.record(
            session,
            actor_id=actor_id,
            action="stop.live_unreviewed",
            target_type="stop",
            target_id=stop.id,
            region_id=stop.region_id,
            before={"live_shows_unreviewed": stop.live_shows_unreviewed},
            after={"live_shows_unreviewed": allowed},
        )
        stop.live_shows_unreviewed = allowed
    return True
