"""What the live screen of a stop shows: counts, top themes, recurring ideas, a few texts.

Polled every few seconds by a screen in the room while people post, so every figure comes
from reads that do not grow with the submissions: the stop's tally rows (services/tally.py),
the small theme table, and at most LIVE_TEXTS item texts found through an index.

No personal data ever: no organisation, name, contact or reference. Free text only from items a
reviewer shortlisted, unless HQ allowed the stop's screen to show the newest texts unreviewed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, ReviewStatus, Submission, Theme, TourStop
from feedback_app.models.types import utcnow
from feedback_app.services import audit, tally
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound

TOP_THEMES = 5
LIVE_TEXTS = 6
TEXT_CHARS = 240

# (stop id) -> [(label fr, label ar, count)]: the recurring ideas, once idea groups exist.
RecurringIdeas = Callable[[Session, int], list[tuple[str, str, int]]]


@dataclass(frozen=True)
class Bilingual:
    fr: str
    ar: str


@dataclass(frozen=True)
class Ranked:
    label: Bilingual
    count: int


@dataclass(frozen=True)
class LiveText:
    kind: str
    text: str


@dataclass(frozen=True)
class LiveFigures:
    stop_id: int
    city: str
    date: dt.date
    region: Bilingual
    submissions: int
    by_kind: dict[str, int]
    top_themes: list[Ranked]
    ideas: list[Ranked]
    texts: list[LiveText]
    unreviewed_texts: bool
    at: dt.datetime


def _stop(session: Session, scope: Scope, stop_id: int) -> TourStop:
    stop = session.scalar(
        select(TourStop).where(TourStop.id == stop_id, scope.filter(TourStop.region_id))
    )
    if stop is None:
        raise NotFound(stop_id)
    return stop


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


def live_figures(session: Session, scope: Scope, stop_id: int, *,
                 recurring: RecurringIdeas | None = None) -> LiveFigures:
    """The live screen's figures for one stop of the scope (NotFound outside it)."""
    stop = _stop(session, scope, stop_id)
    counts = tally.read_counts(session, stop.id)
    theme_totals: dict[int, int] = {}
    for per_theme in counts.by_theme.values():
        for theme_id, count in per_theme.items():
            theme_totals[theme_id] = theme_totals.get(theme_id, 0) + count
    names = {t.id: Bilingual(t.name_fr, t.name_ar) for t in session.scalars(select(Theme))}
    top = sorted(((count, theme_id) for theme_id, count in theme_totals.items()
                  if theme_id in names), key=lambda pair: (-pair[0], pair[1]))[:TOP_THEMES]
    ideas = [Ranked(Bilingual(fr, ar), count)
             for fr, ar, count in (recurring(session, stop.id) if recurring else [])]
    figures = LiveFigures(
        stop_id=stop.id, city=stop.city, date=stop.date,
        region=Bilingual(stop.region.name_fr, stop.region.name_ar),
        submissions=counts.submissions, by_kind=counts.by_kind,
        top_themes=[Ranked(names[theme_id], count) for count, theme_id in top],
        ideas=ideas, texts=_texts(session, stop),
        unreviewed_texts=stop.live_shows_unreviewed, at=utcnow(),
    )
    session.rollback()  # end the read transaction: a screen polls for hours
    return figures


def set_live_unreviewed(session: Session, scope: Scope, stop_id: int, allowed: bool, *,
                        actor_id: int | None) -> bool:
    """HQ's per-stop choice to show unreviewed texts on the live screen; False if unchanged."""
    with write_transaction(session):
        stop = _stop(session, scope, stop_id)
        if stop.live_shows_unreviewed is allowed:
            return False
        audit.record(session, actor_id=actor_id, action="stop.live_unreviewed",
                     target_type="stop", target_id=stop.id, region_id=stop.region_id,
                     before={"live_shows_unreviewed": stop.live_shows_unreviewed},
                     after={"live_shows_unreviewed": allowed})
        stop.live_shows_unreviewed = allowed
    return True
