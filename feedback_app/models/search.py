"""The folded search text of a submission, kept in `submissions.search_text`.

The review desk searches organisations and item texts. Folding both the stored text and the
query the same way (lower case, no accents, no Arabic vowel marks, œ → oe, ’ → ') makes the
search case- and accent-insensitive on SQLite and PostgreSQL alike with a plain `LIKE`, which
is byte-wise and fast; `ILIKE` on PostgreSQL measured 5 to 10 times slower on 400,000 items
and SQLite's `LIKE` folds ASCII only.

The text is derived when a submission is first stored (the listener below), from fields that
no later change touches: organisation, receipt reference and item texts.

Folding can expand a character a lot (NFKD turns U+FDFA into 18 letters), so each folded part
is capped at FOLD_GROWTH times the UTF-8 size of what was typed: ordinary text, which folding
shortens (accents and vowel marks go), is never cut, and a submission's stored size stays
within a small multiple of its input on either database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from feedback_app.models.submission import Submission

# Combining marks of Latin scripts, Arabic harakat, Quranic marks and the tatweel.
_MARKS = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]"
)
_SPACES = re.compile(r"\s+")
FOLD_GROWTH = 1.5
_SUBSTITUTES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def fold(value: str) -> str:
    """`value` as it is compared by the search: case, accents and spacing ignored."""
    value = value.casefold()
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value.translate(_SUBSTITUTES))
        value = unicodedata.normalize("NFC", _MARKS.sub("", value))
    return _SPACES.sub(" ", value).strip()


def capped_fold(value: str) -> str:
    """fold(value), cut to FOLD_GROWTH times the UTF-8 size of `value` (whole characters)."""
    folded = fold(value)
    limit = int(len(value.encode("utf-8", "ignore")) * FOLD_GROWTH)
    encoded = folded.encode("utf-8", "ignore")
    if len(encoded) <= limit:
        return folded
    return encoded[:limit].decode("utf-8", "ignore").rstrip()


def search_document(organisation: str, reference: str, texts: Iterable[str]) -> str:
    return "\n".join(capped_fold(part) for part in (organisation, reference, *texts))


class folded_organisation(FunctionElement[str]):
    """`submissions.search_text`'s first line: the organisation as `capped_fold` gives it (the
    same as `fold` but for the rare text that folding lengthens past FOLD_GROWTH).

    PostgreSQL indexes it with the stop (`ix_submissions_stop_organisation`): the intake finds
    a stop's rows of a file's organisations by index, not by reading the stop's every row.
    """

    type = String()
    inherit_cache = True


@compiles(folded_organisation)
def _first_line(_element: folded_organisation, _compiler: SQLCompiler, **_kw: Any) -> str:
    return (
        "substr(submissions.search_text, 1, "
        "instr(submissions.search_text || char(10), char(10)) - 1)"
    )


@compiles(folded_organisation, "postgresql")
def _first_line_pg(_element: folded_organisation, _compiler: SQLCompiler, **_kw: Any) -> str:
    # Exactly the index's expression (models/submission.py), or the planner does not use it.
    return "split_part(submissions.search_text, E'\\n', 1)"


@event.listens_for(Submission, "before_insert")
def _fill_search_text(_mapper: object, _connection: object, target: Submission) -> None:
    target.search_text = search_document(
        target.organisation or "", target.reference or "", (i.text for i in target.items)
    )
