"""Reference data as the forms and the API present it, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import Category, ItemKind, Priority, Region, Theme

KIND_LABELS = {
    ItemKind.NEED: _l("Besoin"),
    ItemKind.OPPORTUNITY: _l("Opportunité"),
    ItemKind.CHALLENGE: _l("Défi"),
    ItemKind.PROPOSAL: _l("Proposition"),
}
KIND_PLURALS = {
    ItemKind.NEED: _l("Besoins"),
    ItemKind.OPPORTUNITY: _l("Opportunités"),
    ItemKind.CHALLENGE: _l("Défis"),
    ItemKind.PROPOSAL: _l("Propositions"),
}
KIND_HINTS = {
    ItemKind.NEED: _l("Ce qui vous manque pour mieux travailler."),
    ItemKind.OPPORTUNITY: _l("Ce que la région pourrait mieux valoriser."),
    ItemKind.CHALLENGE: _l("Ce qui freine votre activité."),
    ItemKind.PROPOSAL: _l("Une action concrète que vous proposez."),
}
PRIORITY_LABELS = {
    Priority.HIGH: _l("Haute"),
    Priority.MEDIUM: _l("Moyenne"),
    Priority.LOW: _l("Basse"),
}


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


def categories(session: Session, locale: str) -> list[Choice]:
    rows = session.scalars(select(Category).order_by(Category.position)).all()
    return [Choice(c.code, c.name_for(locale)) for c in rows]


def active_themes(session: Session, locale: str) -> list[Choice]:
    rows = session.scalars(
        select(Theme).where(Theme.retired.is_(False)).order_by(Theme.position, Theme.id)
    ).all()
    return [Choice(t.code, t.name_for(locale)) for t in rows]


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.position)).all())


def kinds() -> list[Choice]:
    return [Choice(kind.value, str(label)) for kind, label in KIND_LABELS.items()]


def priorities() -> list[Choice]:
    return [Choice(p.value, str(label)) for p, label in PRIORITY_LABELS.items()]
