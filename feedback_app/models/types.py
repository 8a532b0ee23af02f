"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, Enum


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column storing the member values, guarded by a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


TIMESTAMP = DateTime(timezone=True)
