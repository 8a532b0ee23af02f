"""A small review-desk world for tests: three stops in two regions, four submissions, staff.

Region A (Marrakech-Safi) has three submissions over two stops, region B (Souss-Massa) one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update

from feedback_app.database import write_transaction
from feedback_app.models import (
    AuditEvent,
    FeedbackItem,
    Role,
    Submission,
    SubmissionSource,
    Theme,
)
from feedback_app.services.access import Scope
from feedback_app.services.capture.submissions import submit
from feedback_app.services.review.filters import ReviewFilters
from feedback_app.services.review.queries import list_submissions
from tests.staff import REGION_A, REGION_B, add_stop, make_user

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Desk:
    stop_a1: object
    stop_a2: object
    stop_b: object
    themes: dict[str, int]
    delegate_a: object = None
    delegate_b: object = None
    hq: object = None
    subs: dict[str, int] = field(default_factory=dict)


def store(
    session,
    stop,
    name: str,
    *,
    minutes: int,
    items: list[dict],
    category: str = "hebergement",
    consent: bool = False,
) -> int:
    payload = {
        "client_id": str(uuid.uuid4()),
        "organisation": name,
        "category": category,
        "items": items,
        "consent_contact": consent,
    }
    if consent:
        payload.update(name="Fatima Benali", email="fatima@example.ma", phone="+212600000000")
    receipt = submit(
        session,
        stop.code,
        payload,
        source=SubmissionSource.FORM,
        received_at=T0 + dt.timedelta(minutes=minutes),
    )
    return receipt.id


def build_desk(session) -> Desk:
    stop_a1 = add_stop(session, date=dt.date(2025, 3, 1))
    stop_a2 = add_stop(session, "Safi", date=dt.date(2025, 3, 2))
    stop_b = add_stop(session, "Agadir", REGION_B, dt.date(2025, 3, 8))
    themes = dict(session.execute(select(Theme.code, Theme.id)).all())
    d = Desk(stop_a1, stop_a2, stop_b, themes)
    d.subs["riad"] = store(
        session,
        stop_a1,
        "Riad Dar Atlas",
        minutes=0,
        consent=True,
        items=[
            {
                "kind": "need",
                "text": "Améliorer l’accueil à l'AÉROPORT de Marrakech.",
                "theme": "infrastructures",
            },
            {
                "kind": "proposal",
                "text": "Former les guides au numérique.",
                "theme": "formation-rh",
            },
        ],
    )
    d.subs["agence"] = store(
        session,
        stop_a1,
        "Agence Sahara Tours",
        minutes=10,
        category="agence_voyages",
        items=[
            {"kind": "challenge", "text": "La saisonnalité pèse sur nos équipes (100% l'été)."},
        ],
    )
    d.subs["safi"] = store(
        session,
        stop_a2,
        "Coopérative Œuvre d'Argan",
        minutes=20,
        items=[
            {"kind": "opportunity", "text": "السِّيَاحَة الثقافية في المدينة العتيقة"},
            {
                "kind": "proposal",
                "text": "Un label durable pour les coopératives.",
                "theme": "durabilite",
            },
        ],
    )
    d.subs["agadir"] = store(
        session,
        stop_b,
        "Surf Club Taghazout",
        minutes=30,
        items=[
            {
                "kind": "proposal",
                "text": "Former les guides de surf à l'accueil.",
                "theme": "formation-rh",
            },
        ],
    )
    d.delegate_a = make_user(session, "delegue.a@example.ma", regions=(REGION_A,))
    d.delegate_b = make_user(session, "delegue.b@example.ma", regions=(REGION_B,))
    d.hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    return d


def ids(session, scope: Scope, **filters) -> list[int]:
    page = list_submissions(session, scope, ReviewFilters(**filters), limit=100)
    return [row.id for row in page.rows]


def items_of(session, submission_id: int) -> list[int]:
    return list(
        session.scalars(
            select(FeedbackItem.id)
            .where(FeedbackItem.submission_id == submission_id)
            .order_by(FeedbackItem.position)
        )
    )


def age(session, submission_id: int) -> dt.datetime:
    """Push updated_at into the past and return it, to see a later change bump it."""
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with write_transaction(session):
        session.execute(
            update(Submission).where(Submission.id == submission_id).values(updated_at=old)
        )
    return old


def updated_at(session, submission_id: int) -> dt.datetime:
    session.expire_all()
    value = session.scalar(select(Submission.updated_at).where(Submission.id == submission_id))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def audit_events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )
