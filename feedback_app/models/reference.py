"""Reference data: regions, professional categories and themes (seeded by migrations)."""

from __future__ import annotations

from sqlalchemy import Boolean, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.extensions import Model


class LocalisedNameMixin:
    name_fr: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    def name_for(self, locale: str | None) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_fr


class Region(LocalisedNameMixin, Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)  # short prefix of receipts, e.g. MS
    iso_code: Mapped[str] = mapped_column(String(5), unique=True)  # ISO 3166-2, e.g. MA-07
    position: Mapped[int] = mapped_column(SmallInteger)  # the official order

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class Category(LocalisedNameMixin, Model):
    """A professional category; `code` is the language-neutral value stored on submissions."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)


class Theme(LocalisedNameMixin, Model):
    """An editable theme; a retired theme is no longer offered but stays on old items."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
