"""Cleaning of free text before it is validated and stored; the LIKE pattern of a search word.

PostgreSQL refuses NUL and lone surrogates while SQLite stores them; stripping them (and the
other control characters) here makes both databases behave the same and keeps exports valid.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from feedback_app.services.errors import ValidationFailed

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_CONTROL_KEEP_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_SPACES = re.compile(r"[ \t]+")


def clean_multiline(value: str) -> str:
    """NFC text with paragraphs and tabs kept, every other control character removed."""
    value = _LINE_BREAKS.sub("\n", value)
    value = _CONTROL_KEEP_LAYOUT.sub("", value)
    value = unicodedata.normalize("NFC", value)
    lines = [line.rstrip() for line in value.split("\n")]
    return "\n".join(lines).strip()


def required_text(text: str, field: str, missing: object, limit: int) -> str:
    """The text cleaned; refused on `field` when empty (`missing`) or longer than `limit`."""
    cleaned = clean_multiline(text or "")
    if not cleaned:
        raise ValidationFailed({field: [missing]})
    if len(cleaned) > limit:
        raise ValidationFailed({field: [_l("%(max)d caractères au plus.", max=limit)]})
    return cleaned


def clean_line(value: str) -> str:
    """NFC single-line text: breaks and tabs become spaces, other controls are removed."""
    value = re.sub(r"[\t\n\r\v\f\x85\u2028\u2029]", " ", value)
    value = _CONTROL_ANY.sub("", value)
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()


# Separators, format characters (bidi controls, zero-width joiners...) and combining marks show
# nothing on their own.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Cs", "Co", "Cn", "Mn", "Me"})


def has_visible_text(value: str) -> bool:
    """Whether `value` shows at least one letter, digit, symbol or punctuation mark."""
    return any(unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in value)


def contains_pattern(word: str) -> str:
    """A LIKE pattern (with `escape="\\"`) matching any text that contains `word`."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
