"""Cleaning of free text before it is validated and stored; the LIKE pattern of a search word.

PostgreSQL refuses NUL and lone surrogates while SQLite stores them; stripping them (and the
other control characters) here makes both databases behave the same and keeps exports valid.
"""

from __future__ import annotations

import re
import unicodedata

import regex
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
    if not has_visible_text(cleaned):
        raise ValidationFailed({field: [INVISIBLE]})
    if len(cleaned) > limit:
        raise ValidationFailed({field: [_l("%(max)d caractères au plus.", max=limit)]})
    return cleaned


def clean_line(value: str) -> str:
    """NFC single-line text: breaks and tabs become spaces, other controls are removed."""
    value = re.sub(r"[\t\n\r\v\f\x85\u2028\u2029]", " ", value)
    value = _CONTROL_ANY.sub("", value)
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()


# What shows nothing on its own: separators, controls, format characters (bidi controls,
# zero-width joiners...), unassigned and private-use code points, combining marks, every
# Default_Ignorable_Code_Point (among them the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0,
# which are letters by category) and the braille blank U+2800, a symbol that prints as a space.
_VISIBLE = regex.compile(r"[^\p{Z}\p{C}\p{Mn}\p{Me}\p{Default_Ignorable_Code_Point}\u2800]")
INVISIBLE = _l("Ce texte ne contient aucun caractère visible.")


def has_visible_text(value: str) -> bool:
    """Whether `value` shows at least one letter, digit, symbol or punctuation mark.

    The one test of "is there any text" for every field: the form, the API, the intake files
    and the staff pages all come through here (directly or through the helpers below).
    """
    return _VISIBLE.search(value) is not None


def check_visible(value: str | None, field: str, errors: dict[str, list[object]]) -> None:
    """Add INVISIBLE to `errors[field]` when `value` is typed but shows nothing."""
    if value and not has_visible_text(value):
        errors.setdefault(field, []).append(INVISIBLE)


def contains_pattern(word: str) -> str:
    """A LIKE pattern (with `escape="\\"`) matching any text that contains `word`."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
