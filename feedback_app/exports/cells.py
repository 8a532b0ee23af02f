"""Making any text safe to put in a cell, and Excel's rules for sheet and table names.

Cells written from user text are always string cells (never formulas, whatever they start
with). Text that a spreadsheet would take for a formula if it were typed or re-entered
(`= + - @`, tab, CR, LF first, after spaces and direction marks) also gets Excel's "quote
prefix" style, which shows it exactly as typed and keeps it text when the cell is edited.
"""

from __future__ import annotations

import re

MAX_CELL = 32_767
MAX_SHEET_NAME = 31

# Characters an .xlsx cannot hold (XML 1.0) or that make no sense alone.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What may hide a formula's first character: spaces and invisible direction marks.
_INVISIBLE_LEAD = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]*")
_FORMULA_START = frozenset("=+-@\t\r\n")
_CLEAN_LEAD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# The first strongly directional character decides the direction of the cell.
_STRONG = re.compile(
    r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
    r"\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


def clean_text(value: str) -> str:
    """The text an .xlsx can hold: illegal characters dropped, at most 32,767 characters."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > MAX_CELL // 2:
        # Excel counts UTF-16 units: a character outside the BMP counts twice.
        encoded = value.encode("utf-16-le")
        if len(encoded) > 2 * MAX_CELL:
            value = encoded[: 2 * MAX_CELL].decode("utf-16-le", errors="ignore")
    return value


def looks_like_formula(value: str) -> bool:
    if not value or value[0] in _CLEAN_LEAD:  # the common case, decided on one character
        return False
    rest = value[_INVISIBLE_LEAD.match(value).end() :]  # type: ignore[union-attr]
    if rest and rest[0] in _FORMULA_START:
        return True
    # A tab, CR or LF is itself whitespace: check the raw first characters too.
    return any(ch in "\t\r\n" for ch in value[: len(value) - len(rest)])


def is_rtl(value: str) -> bool:
    match = _STRONG.search(value)
    return match is not None and match.group() >= "\u0590"


def sheet_name(name: str, taken: set[str]) -> str:
    """A name within Excel's rules: 31 characters, none of []:*?/\\, not starting or ending
    with an apostrophe, not "History", unique regardless of case."""
    name = _SHEET_FORBIDDEN.sub(" ", clean_text(name)).strip().strip("'").strip()
    name = name[:MAX_SHEET_NAME].strip() or "Feuille"
    if name.lower() == "history":
        name = "History (1)"
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    taken.add(candidate.lower())
    return candidate


def table_name(prefix: str, key: str) -> str:
    """A table name Excel accepts: letters, digits and underscores, starting with a letter."""
    return (prefix + "_" + _TABLE_NAME_BAD.sub("_", key))[:250]
