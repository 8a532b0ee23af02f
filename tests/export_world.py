"""A small tour for the synthesis, export and dashboard tests, stored straight through the ORM.

Going around the submission service lets the tests store what the form would refuse or clean
(control characters, formula-looking text, spam, contacts without consent) and that an export
must still handle.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    ReviewStatus,
    StopStatus,
    Submission,
    Theme,
    TourStop,
)
from feedback_app.services.capture import tally
from feedback_app.services.tour.stops import create_stop

INJECTIONS = [
    "=1+1",
    "+cmd",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1",
    "\u200f=1",
    "\u202e=cmd",
    '=HYPERLINK("http://evil.example","clic")',
    "\n=1",
]
CONTROL_TEXT = "Avant\x01\x02\x08\x0b\x0c\x0e\x1fAprès"
ARABIC_TEXT = "نحتاج إلى تكوين الشباب في مهن الضيافة"
# The sheets of a French workbook of Souss-Massa alone, in order.
SOUSS_MASSA_SHEETS = [
    "Synthèse",
    "Idées récurrentes",
    "Carte des idées",
    "Souss-Massa",
    "Éléments retenus",
    "Engagements",
    "Bilan Souss-Massa",
    "À propos",
]
_counter = itertools.count(1)


@dataclass
class Tour:
    stops: dict[str, int] = field(default_factory=dict)
    submissions: dict[str, int] = field(default_factory=dict)


def _theme_id(session: Session, code: str) -> int:
    theme_id = session.scalar(select(Theme.id).where(Theme.code == code))
    assert theme_id is not None
    return theme_id


def add_submission(
    session: Session,
    stop_id: int,
    *,
    organisation: str = "Riad Atlas",
    category: str = "hebergement",
    status: ReviewStatus = ReviewStatus.NEW,
    items: list[dict] | None = None,
    consent: bool = False,
    created_at: dt.datetime | None = None,
    contact: str = "Fatima Idrissi",
    recount: bool = True,
) -> int:
    """A submission stored as given; its stop's counts recounted unless `recount` is False (a
    caller adding many recounts their stops once: `tally.recount`)."""
    stop = session.get(TourStop, stop_id)
    assert stop is not None
    number = next(_counter)
    with write_transaction(session):
        submission = Submission(
            region_id=stop.region_id,
            stop_id=stop.id,
            client_id=uuid.uuid4(),
            reference=f"T{number:03d}-{uuid.uuid4().hex[:6].upper()}",
            organisation=organisation,
            category_code=category,
            status=status,
            person_name=contact,
            job_title="Directrice",
            email=f"c{number}@example.ma",
            phone="0612345678",
            consent_contact=consent,
            created_at=created_at or dt.datetime.combine(stop.date, dt.time(10), tzinfo=dt.UTC),
            items=[
                FeedbackItem(position=i, **item)
                for i, item in enumerate(
                    items or [{"kind": "need", "text": "Former le personnel."}]
                )
            ],
        )
        session.add(submission)
        session.flush()
        submission_id = submission.id
        if recount:  # the stop's counts, as the submission path keeps them
            tally.recount(session, [stop.id])
    return submission_id


def mark_spam(session: Session, submission_id: int) -> None:
    """The submission set to spam straight in the database, as a review would leave it."""
    with write_transaction(session):
        session.execute(
            update(Submission)
            .where(Submission.id == submission_id)
            .values(status=ReviewStatus.SPAM)
        )
        tally.recount(
            session,
            session.scalars(select(Submission.stop_id).where(Submission.id == submission_id)),
        )


def build_tour(session: Session) -> Tour:
    """Marrakech-Safi: 2 stops held, 2 counted submissions + 1 spam; Souss-Massa: 1 stop
    held, 2 submissions (one full of formula-looking text); Drâa-Tafilalet: 1 planned stop."""
    tour = Tour()
    for key, region, city, date, status in (
        ("marrakech", "marrakech-safi", "Marrakech", dt.date(2025, 1, 10), StopStatus.CLOSED),
        ("essaouira", "marrakech-safi", "Essaouira", dt.date(2025, 1, 12), StopStatus.OPEN),
        ("agadir", "souss-massa", "Agadir", dt.date(2025, 1, 24), StopStatus.CLOSED),
        ("ouarzazate", "draa-tafilalet", "Ouarzazate", dt.date(2025, 3, 1), StopStatus.PLANNED),
    ):
        tour.stops[key] = create_stop(
            session, region_slug=region, city=city, date=date, venue="Salle", status=status
        ).id
    formation, digital = _theme_id(session, "formation-rh"), _theme_id(session, "digitalisation")
    tour.submissions["m1"] = add_submission(
        session,
        tour.stops["marrakech"],
        organisation="Riad Dar Atlas",
        consent=True,
        contact="Fatima Consentante",
        items=[
            {
                "kind": "need",
                "text": "Former les réceptionnistes.",
                "theme_id": formation,
                "priority": "high",
            },
            {
                "kind": "proposal",
                "text": "Une plateforme régionale de réservation.",
                "theme_id": digital,
                "shortlisted": True,
            },
            {"kind": "challenge", "text": "Saisonnalité forte."},
        ],
    )
    tour.submissions["m2"] = add_submission(
        session,
        tour.stops["essaouira"],
        organisation="Mogador Voyages",
        category="agence_voyages",
        status=ReviewStatus.REVIEWED,
        consent=False,
        contact="Nom-Sans-Consentement",
        items=[
            {"kind": "opportunity", "text": "Le kitesurf attire hors saison.", "theme_id": digital},
            {"kind": "proposal", "text": "Un festival des alizés."},
            {"kind": "need", "text": ARABIC_TEXT, "theme_id": formation},
        ],
    )
    tour.submissions["spam"] = add_submission(
        session,
        tour.stops["marrakech"],
        organisation="SPAM-ORG",
        status=ReviewStatus.SPAM,
        items=[{"kind": "need", "text": "SPAM-TEXT achetez maintenant"}],
    )
    tour.submissions["s1"] = add_submission(
        session,
        tour.stops["agadir"],
        organisation="Restaurant Dar Tajine",
        category="restauration",
        status=ReviewStatus.REVIEWED,
        items=[
            {"kind": "need", "text": CONTROL_TEXT, "theme_id": formation},
            {"kind": "proposal", "text": "Route touristique côtière.", "shortlisted": True},
        ],
    )
    tour.submissions["evil"] = add_submission(
        session,
        tour.stops["agadir"],
        organisation="=1+1",
        category="autre",
        consent=True,
        contact="@SUM(A1)",
        items=[{"kind": "challenge", "text": payload} for payload in INJECTIONS],
    )
    return tour
