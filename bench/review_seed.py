"""Bulk seeding of a review-desk benchmark database: N submissions with four items each.

Rows go in through SQLAlchemy Core `executemany` (SQLite) or `COPY` (PostgreSQL), never the ORM
one object at a time: 100,000 submissions and 400,000 items take seconds, not minutes. The data
looks like the real thing where it matters for the queries: twelve regions of unequal size,
several stops per region, a creation time spread over months, mostly `new` submissions, a theme
on most items, a few shortlisted ones, French and Arabic texts, and some rare words to search.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from feedback_app.models import (
    Category,
    FeedbackItem,
    Region,
    Role,
    Submission,
    Theme,
    TourStop,
    User,
    user_regions,
)
from feedback_app.models.search import fold
from feedback_app.services.capture import tally

ITEMS_PER_SUBMISSION = 4
STOPS_PER_REGION = 4
CHUNK = 10_000
START = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)
RARE_WORD = "zellige"  # in about one item in 2,000
DELEGATE_REGION = "marrakech-safi"

SUBJECTS = [
    "Former le personnel",
    "Améliorer la signalétique",
    "Développer la promotion",
    "Renforcer la connectivité aérienne",
    "Faciliter le financement",
    "Digitaliser la réservation",
    "Simplifier la réglementation",
    "Diversifier l'offre",
    "Organiser des événements",
    "Préserver l'environnement",
    "Créer une carte touristique",
    "Ouvrir une ligne aérienne",
    "Valoriser l'artisanat",
    "Accueillir les Marocains du monde",
    "Moderniser les transports",
]
OBJECTS = [
    "pour les hôtels de la région",
    "autour de la médina",
    "vers les sites ruraux",
    "pendant la basse saison",
    "avec les agences européennes",
    "pour les jeunes diplômés",
    "près de l'aéroport",
    "dans les villages de montagne",
    "sur le littoral",
    "pour la clientèle nationale",
    "avec les coopératives locales",
    "dans le désert",
]
DETAILS = [
    "Les délais sont trop longs.",
    "Les coûts augmentent chaque année.",
    "Nous manquons de données fiables.",
    "La demande existe déjà.",
    "Un partenariat public-privé serait utile.",
    "Les touristes le demandent souvent.",
    "La concurrence régionale est forte.",
    "Il faut un calendrier commun.",
    "",
]
ARABIC = [
    "نحتاج إلى تكوين الشباب في مهن الضيافة والاستقبال.",
    "نطالب بتحسين الطرق المؤدية إلى المواقع السياحية القروية.",
    "صعوبة الحصول على التمويل البنكي للمشاريع الصغيرة.",
    "اقتراح إنشاء منصة رقمية جهوية لحجز الأنشطة السياحية.",
]
ORG_PREFIXES = [
    "Riad",
    "Hôtel",
    "Agence",
    "Kasbah",
    "Restaurant",
    "Transports",
    "Coopérative",
    "Association",
    "Maison d'hôtes",
    "Surf Club",
]
ORG_NAMES = [
    "Atlas",
    "Tiwizi",
    "Al Manar",
    "Les Palmiers",
    "Sahara",
    "Dar Tajine",
    "Argan",
    "Al Baraka",
    "Horizons",
    "Essaouira",
    "Bab Doukkala",
    "Oasis",
    "Tafraout",
    "Amane",
]
KINDS = ["need", "opportunity", "challenge", "proposal"]
STATUSES = ["new"] * 70 + ["reviewed"] * 25 + ["spam"] * 5
# Unequal regions, as in the real tour: Marrakech and Casablanca talk most.
REGION_WEIGHTS = {
    "marrakech-safi": 14,
    "casablanca-settat": 14,
    "souss-massa": 11,
    "rabat-sale-kenitra": 10,
    "tanger-tetouan-al-hoceima": 10,
    "fes-meknes": 9,
}


@dataclass(frozen=True)
class Seeded:
    submissions: int
    items: int
    hq_id: int
    delegate_id: int
    delegate_region_id: int


def _item_text(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(ARABIC)
    words = f"{rng.choice(SUBJECTS)} {rng.choice(OBJECTS)}. {rng.choice(DETAILS)}"
    if rng.random() < 0.0005:
        words += f" Le {RARE_WORD} de nos riads mérite d'être mis en avant."
    return words.strip()


@functools.cache
def _folded(text: str) -> str:
    # The ORM fills search_text on insert; Core inserts must do it themselves, and the texts
    # repeat, so each distinct one is folded once.
    return fold(text)


def seed(
    engine: Engine,
    submissions: int,
    password_hash: str | None = None,
    rng_seed: int = 7,
    stops_per_region: int = STOPS_PER_REGION,
) -> Seeded:
    """Insert stops, two staff users and `submissions` submissions into a migrated database,
    and the stops' running counts (stop_tallies) as the submission path would have left them."""
    rng = random.Random(rng_seed)
    with engine.begin() as conn:
        regions = conn.execute(select(Region.id, Region.slug, Region.code)).all()
        categories = conn.execute(select(Category.code)).scalars().all()
        themes = conn.execute(select(Theme.id)).scalars().all()
        stop_rows = []
        for region in regions:
            for number in range(stops_per_region):
                stop_rows.append(
                    {
                        "code": f"b{region.id:02d}{number:02d}{rng.randrange(10**6):06d}",
                        "region_id": region.id,
                        "city": f"Ville {region.code} {number + 1}",
                        "venue": "Salle",
                        "date": (START + dt.timedelta(days=10 * number)).date(),
                        "status": "open",
                        "grace_hours": 24,
                        "created_at": START,
                    }
                )
        conn.execute(insert(TourStop), stop_rows)
        stops = conn.execute(select(TourStop.id, TourStop.region_id)).all()
        hq_id, delegate_id = (
            conn.execute(
                insert(User)
                .values(
                    email=email,
                    name=name,
                    role=role.value,
                    active=True,
                    session_version=0,
                    password_hash=password_hash,
                    created_at=START,
                )
                .returning(User.id)
            ).scalar_one()
            for email, name, role in (
                ("hq@bench.ma", "HQ", Role.HQ),
                ("delegate@bench.ma", "Délégué", Role.DELEGATE),
            )
        )
        delegate_region_id = next(r.id for r in regions if r.slug == DELEGATE_REGION)
        conn.execute(insert(user_regions).values(user_id=delegate_id, region_id=delegate_region_id))

    slug_of = {r.id: r.slug for r in regions}
    code_of = {r.id: r.code for r in regions}
    weights = [REGION_WEIGHTS.get(slug_of[s.region_id], 5) for s in stops]
    span = 150 * 24 * 3600  # seconds over which the submissions arrive
    offsets = sorted(rng.randrange(span * 1000) for _ in range(submissions))
    sub_batch: list[dict] = []
    item_batch: list[dict] = []
    item_id = 0
    writer = _Writer(engine)
    for sub_id in range(1, submissions + 1):
        stop = rng.choices(stops, weights)[0]
        created = START + dt.timedelta(milliseconds=offsets[sub_id - 1])
        consent = rng.random() < 0.6
        organisation = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_NAMES)} {sub_id % 997}"
        reference = f"{code_of[stop.region_id]}-{sub_id:08d}"
        texts = [_item_text(rng) for _ in range(ITEMS_PER_SUBMISSION)]
        sub_batch.append(
            {
                "id": sub_id,
                "region_id": stop.region_id,
                "stop_id": stop.id,
                "client_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "reference": reference,
                "organisation": organisation,
                "category_code": rng.choice(categories),
                "person_name": "Fatima Benali" if consent else None,
                "job_title": "Directrice",
                "email": "contact@example.ma" if consent else None,
                "phone": None,
                "consent_contact": consent,
                "language": "fr",
                "source": "form",
                "status": rng.choice(STATUSES),
                "created_at": created,
                "filled_at": None,
                "late": False,
                "updated_at": created,
                "search_text": "\n".join(_folded(t) for t in (organisation, reference, *texts)),
            }
        )
        for position, text_ in enumerate(texts):
            item_id += 1
            item_batch.append(
                {
                    "id": item_id,
                    "submission_id": sub_id,
                    "position": position,
                    "kind": rng.choice(KINDS),
                    "text": text_,
                    "theme_id": rng.choice(themes) if rng.random() < 0.6 else None,
                    "priority": rng.choice([None, "low", "medium", "high"]),
                    "shortlisted": rng.random() < 0.03,
                }
            )
        if len(sub_batch) >= CHUNK:
            writer.write(sub_batch, item_batch)
            sub_batch, item_batch = [], []
    if sub_batch:
        writer.write(sub_batch, item_batch)
    writer.finish(submissions, item_id)
    _tallies(engine)
    return Seeded(submissions, item_id, hq_id, delegate_id, delegate_region_id)


def seeded_before(engine: Engine) -> Seeded:
    """What an earlier `seed` left in the database (bench/scale.py --database)."""
    with engine.connect() as conn:
        submissions = conn.scalar(select(func.count(Submission.id))) or 0
        items = conn.scalar(select(func.count(FeedbackItem.id))) or 0
        users = dict(conn.execute(select(User.email, User.id)).all())
        region_id = conn.scalar(select(Region.id).where(Region.slug == DELEGATE_REGION))
    assert region_id is not None
    return Seeded(submissions, items, users["hq@bench.ma"], users["delegate@bench.ma"], region_id)


def _tallies(engine: Engine) -> None:
    """The stops' running counts, recounted from the rows as `flask tally check --fix` does
    (the submission path keeps them as it goes)."""
    with Session(engine) as session, session.begin():
        tally.recount(session)


class _Writer:
    """COPY on PostgreSQL, executemany on SQLite; statistics refreshed at the end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def write(self, subs: list[dict], items: list[dict]) -> None:
        if self.postgres:
            self._copy(Submission.__table__.name, subs)
            self._copy(FeedbackItem.__table__.name, items)
            return
        with self.engine.begin() as conn:
            conn.execute(insert(Submission), subs)
            conn.execute(insert(FeedbackItem), items)

    def _copy(self, table: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        raw = self.engine.raw_connection()
        try:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            raw.commit()
        finally:
            raw.close()

    def finish(self, last_submission: int, last_item: int) -> None:
        with self.engine.begin() as conn:
            if self.postgres:
                for table, last in (
                    ("submissions", last_submission),
                    ("feedback_items", last_item),
                ):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"{max(last, 1)})"
                        )
                    )
        if self.postgres:  # as autovacuum would after a day of arrivals
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
