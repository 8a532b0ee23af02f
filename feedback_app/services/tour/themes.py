"""The editable list of themes: add, rename, retire and bring back.

A retired theme is no longer offered in the public form but stays on the items that carry it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.locales import localised
from feedback_app.models import FeedbackItem, Theme
from feedback_app.services import audit
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.text import check_visible, clean_line

MAX_THEME_NAME = 120
OTHER_THEME = "autre"  # the catch-all "Autre / أخرى / Other", kept last when adding a theme
TRANSLATIONS = localised("name")[1:]  # the French name is the one required


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    items: int


def list_themes(session: Session) -> list[ThemeRow]:
    """Every theme in the form's order (retired ones in place), with how many items carry it."""
    counts = (
        select(FeedbackItem.theme_id.label("theme_id"), func.count().label("item_count"))
        .where(FeedbackItem.theme_id.is_not(None))
        .group_by(FeedbackItem.theme_id)
        .subquery()
    )
    rows = session.execute(
        select(Theme, counts.c.item_count)
        .outerjoin(counts, counts.c.theme_id == Theme.id)
        .order_by(Theme.position, Theme.id)
    ).all()
    return [ThemeRow(theme=theme, items=int(items or 0)) for theme, items in rows]


def get_theme(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(theme_id)
    return theme


def snapshot(theme: Theme) -> dict[str, object]:
    return {
        "code": theme.code,
        "name_fr": theme.name_fr,
        "name_ar": theme.name_ar,
        "name_en": theme.name_en,
        "retired": theme.retired,
    }


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50] or "theme"


def _clean_names(
    session: Session, names: dict[str, str], theme_id: int | None = None
) -> dict[str, str]:
    cleaned = {key: clean_line(names.get(key) or "") for key in localised("name")}
    errors: dict[str, list[object]] = {}
    if not cleaned["name_fr"]:
        errors["name_fr"] = [_l("Indiquez le nom en français.")]
    for key, value in cleaned.items():
        if len(value) > MAX_THEME_NAME:
            errors[key] = [_l("%(max)d caractères au plus.", max=MAX_THEME_NAME)]
        check_visible(value, key, errors)
    if "name_fr" not in errors:
        twin = session.scalar(
            select(Theme.id).where(func.lower(Theme.name_fr) == cleaned["name_fr"].lower())
        )
        if twin is not None and twin != theme_id:
            errors["name_fr"] = [_l("Un thème porte déjà ce nom.")]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _free_code(session: Session, name_fr: str) -> str:
    base = slugify(name_fr)
    taken = set(session.scalars(select(Theme.code).where(Theme.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def add_theme(session: Session, *, actor_id: int, names: dict[str, str]) -> Theme:
    """A new theme, offered last but before "Autre" (which stays the form's last choice)."""
    cleaned = _clean_names(session, names)
    with write_transaction(session):
        ordered = _normalised_order(session)
        position = len(ordered) + 1
        if ordered and ordered[-1].code == OTHER_THEME:
            position = ordered[-1].position
            ordered[-1].position = position + 1
        theme = Theme(
            code=_free_code(session, cleaned["name_fr"]),
            position=position,
            retired=False,
            **cleaned,
        )
        session.add(theme)
        session.flush()
        audit.record(
            session,
            actor_id=actor_id,
            action="theme.create",
            target_type="theme",
            target_id=theme.id,
            after=snapshot(theme),
        )
    return theme


def rename_theme(session: Session, *, actor_id: int, theme_id: int, names: dict[str, str]) -> Theme:
    """New names; the code stays, so items, exports and API clients keep pointing at it."""
    get_theme(session, theme_id)
    cleaned = _clean_names(session, names, theme_id)
    with write_transaction(session):
        theme = get_theme(session, theme_id)
        before = snapshot(theme)
        for key, value in cleaned.items():
            setattr(theme, key, value)
        audit.record_change(
            session,
            actor_id=actor_id,
            action="theme.rename",
            target_type="theme",
            target_id=theme.id,
            before=before,
            after=snapshot(theme),
        )
    return theme


def set_retired(session: Session, *, actor_id: int, theme_id: int, retired: bool) -> Theme:
    with write_transaction(session):
        theme = get_theme(session, theme_id)
        if theme.retired == retired:
            return theme
        theme.retired = retired
        audit.record(
            session,
            actor_id=actor_id,
            action="theme.retire" if retired else "theme.restore",
            target_type="theme",
            target_id=theme.id,
            before={"retired": not retired},
            after={"retired": retired},
        )
    return theme


def _normalised_order(session: Session) -> list[Theme]:
    """Every theme in the form's order, numbered 1..n (ties and gaps from old data removed)."""
    ordered = list(session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    for number, theme in enumerate(ordered, start=1):
        theme.position = number
    return ordered


def move_theme(session: Session, *, actor_id: int, theme_id: int, steps: int) -> Theme:
    """Move a theme `steps` places (negative: earlier) in the order the form, the review desk
    and the exports use; beyond either end it stops there."""
    with write_transaction(session):
        theme = get_theme(session, theme_id)
        ordered = _normalised_order(session)
        old = ordered.index(theme)
        new = min(max(old + steps, 0), len(ordered) - 1)
        if new == old:
            return theme
        ordered.insert(new, ordered.pop(old))
        for number, each in enumerate(ordered, start=1):
            each.position = number
        audit.record(
            session,
            actor_id=actor_id,
            action="theme.move",
            target_type="theme",
            target_id=theme.id,
            before={"position": old + 1},
            after={"position": new + 1},
        )
    return theme


def missing_translations(theme: Theme) -> list[str]:
    """The languages ("ar", "en") in which this theme would be shown in French."""
    return [key[-2:] for key in TRANSLATIONS if not getattr(theme, key)]


def theme_rank(session: Session, theme: Theme) -> int:
    """The theme's place (1 = first) in the current order."""
    ordered = list(session.scalars(select(Theme.id).order_by(Theme.position, Theme.id)))
    return ordered.index(theme.id) + 1
