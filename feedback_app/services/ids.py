"""Record ids typed into URLs and forms: digits within the database's INTEGER range."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # ids are INTEGER (int4 on PostgreSQL): a larger one names no row


def parse_id(value: object) -> int | None:
    """The id `value` spells (ASCII digits, 1..MAX_ID), else None.

    A larger number cannot name a row, and binding it fails on both databases (SQLite raises
    OverflowError, PostgreSQL "integer out of range"): it is simply not an id.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
