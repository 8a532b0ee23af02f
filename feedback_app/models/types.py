"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator


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


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored as `timestamp with time zone`, always aware UTC in Python.

    PostgreSQL keeps the zone; SQLite has none and hands back naive values: both come back as
    aware UTC here, so no caller patches `tzinfo` by hand. A naive value written is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return as_utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return as_utc(value)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` as aware UTC; a naive moment is UTC already (that is how it was stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


TIMESTAMP = UtcDateTime()
