"""Reference data as the forms and the API present it, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.labels import KIND_LABELS, PRIORITY_LABELS
from feedback_app.models import Category, Region, Theme


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
