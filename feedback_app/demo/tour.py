"""A realistic demonstration tour, so that a fresh install shows a living product."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.demo.ideas import pick
from feedback_app.models import (
    FeedbackItem,
    ItemKind,
    Region,
    ReviewStatus,
    StopStatus,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
)
from feedback_app.services.capture import tally
from feedback_app.services.capture.submissions import submit
from feedback_app.services.tour.stops import create_stop

_NAMESPACE = uuid.UUID("6f1c2d3e-9a4b-4c5d-8e7f-0a1b2c3d4e5f")

# The tour order: Marrakech first, on 2025-01-10, then a stop every two weeks.
TOUR = [
    ("marrakech-safi", "Marrakech", "Palais des congrès"),
    ("souss-massa", "Agadir", "Hôtel de ville"),
    ("draa-tafilalet", "Ouarzazate", "Centre culturel"),
    ("guelmim-oued-noun", "Guelmim", "Chambre de commerce"),
    ("laayoune-sakia-el-hamra", "Laâyoune", "Palais des congrès"),
    ("dakhla-oued-ed-dahab", "Dakhla", "Centre régional d'investissement"),
    ("casablanca-settat", "Casablanca", "Office des changes, salle B"),
    ("rabat-sale-kenitra", "Rabat", "Bibliothèque nationale"),
    ("tanger-tetouan-al-hoceima", "Tanger", "Palais Moulay Hafid"),
    ("oriental", "Oujda", "Technopole"),
    ("fes-meknes", "Fès", "Palais des congrès"),
    ("beni-mellal-khenifra", "Béni Mellal", "Conseil régional"),
]
_CLOSED, _OPEN = 9, 2  # the rest is planned

ORGANISATIONS = {
    "hebergement": [
        "Riad Dar {c}",
        "Hôtel Atlas {c}",
        "Kasbah des Roses",
        "Résidence Al Manar",
        "Maison d'hôtes Tiwizi",
        "Hôtel Les Palmiers",
    ],
    "agence_voyages": ["{c} Voyages", "Sahara Tours", "Atlas Discovery", "Maroc Horizons"],
    "transport_touristique": ["Transports Touristiques {c}", "Navette Express", "Atlas Trans"],
    "restauration": ["Restaurant Dar Tajine", "Café du Centre", "La Table de {c}"],
    "crt": ["Conseil Régional du Tourisme de {c}"],
    "guide": ["Association des guides de {c}", "Guide indépendant"],
    "animation_loisirs": ["Quad Aventure {c}", "Surf Club", "Centre équestre Al Baraka"],
    "institution": ["Délégation provinciale du tourisme", "Chambre de commerce de {c}"],
    "autre": ["Coopérative Argan Tifaout", "Artisanat Dar Sanaa"],
}

FIRST_NAMES = ["Fatima", "Youssef", "Khadija", "Mohamed", "Salma", "Omar", "Nadia", "Karim"]
LAST_NAMES = ["El Idrissi", "Benali", "Alaoui", "Tazi", "Bennani", "Amrani", "Ouali", "Chraibi"]


@dataclass
class DemoSummary:
    stops: int = 0
    submissions: int = 0
    items: int = 0
    open_stops: list[tuple[str, str]] = field(default_factory=list)


def load_demo(session: Session, *, submissions: int = 360, seed: int = 2025) -> DemoSummary:
    """Create (or reuse) the tour's stops and store `submissions` plausible submissions.

    Running it twice stores nothing twice: stops are matched by region, city and date, and each
    submission has a client_id derived from the seed and its number.
    """
    rng = random.Random(seed)
    summary = DemoSummary()
    stops: list[TourStop] = []
    start = dt.date(2025, 1, 10)
    for index, (slug, city, venue) in enumerate(TOUR):
        date = start + dt.timedelta(days=14 * index)
        stop = session.scalar(
            select(TourStop)
            .join(Region)
            .where(Region.slug == slug, TourStop.city == city, TourStop.date == date)
        )
        if stop is None:
            stop = create_stop(
                session, region_slug=slug, city=city, date=date, venue=venue, status=StopStatus.OPEN
            )
        stops.append(stop)
    summary.stops = len(stops)
    with_feedback = stops[: _CLOSED + _OPEN]
    _open(session, with_feedback)

    for number in range(submissions):
        stop = with_feedback[number % len(with_feedback)]
        payload = _fake_submission(rng, stop.city, uuid.uuid5(_NAMESPACE, f"{seed}-{number}"))
        received = dt.datetime.combine(stop.date, dt.time(9, 30), tzinfo=dt.UTC) + dt.timedelta(
            minutes=rng.randint(0, 300)
        )
        receipt = submit(
            session,
            stop.code,
            payload,
            source=SubmissionSource.IMPORT,
            default_language=payload["language"],
            received_at=received,
        )
        summary.submissions += int(receipt.created)

    _review_some(session, rng, [s.id for s in stops[:_CLOSED]])
    with write_transaction(session):
        for index, stop in enumerate(stops):
            if index < _CLOSED:
                stop.status = StopStatus.CLOSED
            elif index < _CLOSED + _OPEN:
                stop.status = StopStatus.OPEN
                summary.open_stops.append((stop.code, stop.city))
            else:
                stop.status = StopStatus.PLANNED
    summary.items = session.query(FeedbackItem).count()
    return summary


def _open(session: Session, stops: list[TourStop]) -> None:
    with write_transaction(session):
        for stop in stops:
            stop.status = StopStatus.OPEN


def _fake_submission(rng: random.Random, city: str, client_id: uuid.UUID) -> dict[str, Any]:
    category = rng.choice(list(ORGANISATIONS))
    arabic = rng.random() < 0.15
    items = []
    for kind in ItemKind:
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            text, theme = pick(rng, kind, city, arabic=arabic)
            # A third is left for the reviewers to theme (or not), as after a real stop.
            items.append(
                {
                    "kind": kind.value,
                    "text": text,
                    "theme": theme if rng.random() < 0.67 else None,
                    "priority": rng.choice([None, None, "high", "medium", "low"]),
                }
            )
    if not items:
        text, theme = pick(rng, ItemKind.NEED, city, arabic=arabic)
        items.append({"kind": "need", "text": text, "theme": theme})
    consent = rng.random() < 0.6
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "client_id": str(client_id),
        "organisation": rng.choice(ORGANISATIONS[category]).format(c=city),
        "category": category,
        "job_title": rng.choice(["Directeur", "Gérante", "Responsable commercial", None]),
        "consent_contact": consent,
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower().replace(' ', '')}@example.ma",
        # 06 83, 06 85 and 06 86 are not allocated: the service would refuse them.
        "phone": f"06{rng.randint(10, 82)}{rng.randint(100_000, 999_999)}",
        "language": "ar" if arabic else "fr",
        "items": items,
    }


def _review_some(session: Session, rng: random.Random, stop_ids: list[int]) -> None:
    """Closed stops look worked on: most reviewed, a little spam, proposals shortlisted."""
    ids = session.scalars(
        select(Submission.id).where(
            Submission.stop_id.in_(stop_ids), Submission.status == ReviewStatus.NEW
        )
    ).all()
    reviewed = [i for i in ids if rng.random() < 0.7]
    spam = [i for i in ids if i not in reviewed and rng.random() < 0.05]
    theme_ids = session.scalars(select(Theme.id)).all()
    with write_transaction(session):
        if reviewed:
            session.execute(
                update(Submission)
                .where(Submission.id.in_(reviewed))
                .values(status=ReviewStatus.REVIEWED)
            )
            session.execute(
                update(FeedbackItem)
                .where(
                    FeedbackItem.submission_id.in_(reviewed),
                    FeedbackItem.kind == ItemKind.PROPOSAL,
                    FeedbackItem.id % 3 == 0,
                )
                .values(shortlisted=True)
            )
            # Reviewers theme some of what was left unthemed, each item on its own merits.
            unthemed = session.scalars(
                select(FeedbackItem.id).where(
                    FeedbackItem.submission_id.in_(reviewed), FeedbackItem.theme_id.is_(None)
                )
            ).all()
            for item_id in unthemed:
                if rng.random() < 0.5:
                    session.execute(
                        update(FeedbackItem)
                        .where(FeedbackItem.id == item_id)
                        .values(theme_id=rng.choice(theme_ids))
                    )
        if spam:
            session.execute(
                update(Submission).where(Submission.id.in_(spam)).values(status=ReviewStatus.SPAM)
            )
        # Statuses and themes were set in bulk SQL: the live counts follow from the rows.
        tally.recount(session, stop_ids)
