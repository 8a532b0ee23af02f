"""Validating intake rows through the same rules as the form and the API.

One row is one submission holding one item (the organisation is repeated for several items).
Each row becomes a plain, JSON-ready outcome: `valid` with the cleaned values to store,
`error` with the column and message of each problem, `duplicate`, or `example` (the template's
marked example row, ignored). Messages are rendered in the reader's language.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from feedback_app.exports.labels import Labels
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import LANGUAGE_CODES, join_list
from feedback_app.models import ItemKind, Priority, fold
from feedback_app.services.capture.validation import (
    CONTACT_FIELDS,
    INVALID_CHOICE,
    SUBMISSION_COLUMNS,
    validate_submission,
)
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.intake.files import Table
from feedback_app.services.intake.headers import (
    FIELDS,
    REQUIRED,
    ValueMatcher,
    consent_value,
    header_label,
    kind_matcher,
    match_headers,
    priority_matcher,
)
from feedback_app.services.intake.refusal import FileRefused

VALID, ERROR, DUPLICATE, EXAMPLE = "valid", "error", "duplicate", "example"
# The template's example row starts with one of these; it is never stored.
EXAMPLE_MARKERS = ("[exemple", "[example", "[مثال")
_PATH_FIELDS = {"consent_contact": "consent", "items": "text"}
_CHOICES = ("category", "kind", "theme", "priority")


def _not_offered(value: str, column: str, reference: Reference, language: str) -> str:
    """ "«Gastronomie» is not in the list; allowed: …" in the file's language."""
    if column == "kind":
        words = Labels(language, CODE_WORDS)
        allowed = [words.kind(k.value) for k in ItemKind]
    elif column == "priority":
        words = Labels(language, CODE_WORDS)
        allowed = [words.priority(p.value) for p in Priority]
    else:
        at = LANGUAGE_CODES.index(language) if language in LANGUAGE_CODES else 0
        allowed = [names[at] or names[0] for names in reference.offered.get(column, ())]
    return str(
        _l(
            "« %(value)s » n'est pas dans la liste. Choix possibles : %(allowed)s.",
            value=value,
            allowed=join_list(allowed, language),
        )
    )


@dataclass(frozen=True)
class Reference:
    """The live reference data a row is checked against."""

    categories: ValueMatcher
    category_codes: Sequence[str]
    themes: ValueMatcher
    theme_codes: Sequence[str]  # the themes still offered (not retired)
    # Column -> the names offered, one tuple per choice (a name per language, LANGUAGE_CODES'
    # order): an invalid choice is answered with the value typed and the ones allowed.
    offered: Mapping[str, Sequence[tuple[str, ...]]] = field(default_factory=dict)


def fingerprint(stop_id: int, organisation: str, text: str) -> str:
    """The same organisation saying the same thing at the same stop, however it is typed."""
    material = "\x1f".join((str(stop_id), fold(organisation), fold(text)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def check_rows(
    table: Table, reference: Reference, *, stop_id: int, language: str
) -> list[dict[str, Any]]:
    """Every row's outcome; raises FileRefused when a required column is missing."""
    columns = match_headers(table.header)
    missing = [field for field in REQUIRED if field not in columns]
    with force_locale(language):
        if missing:
            names = join_list((header_label(field, language) for field in missing), language)
            raise FileRefused(_l("Colonnes obligatoires manquantes : %(names)s.", names=names))
        labels = {
            field: (table.header[columns[field]] if field in columns else "")
            or header_label(field, language)
            for field in FIELDS
        }
        kinds, priorities = kind_matcher(), priority_matcher()
        outcomes: list[dict[str, Any]] = []
        for number, cells in table.rows:
            values = {
                field: cells[index] if index < len(cells) else ""
                for field, index in columns.items()
            }
            outcomes.append(
                _check_row(number, values, labels, reference, kinds, priorities, stop_id, language)
            )
        return outcomes


def _check_row(
    number: int,
    values: dict[str, str],
    labels: dict[str, str],
    reference: Reference,
    kinds: ValueMatcher,
    priorities: ValueMatcher,
    stop_id: int,
    language: str,
) -> dict[str, Any]:
    get = values.get
    organisation, text = get("organisation", ""), get("text", "")
    outcome: dict[str, Any] = {
        "row": number,
        "organisation": organisation[:200],
        "text": text[:200],
        # As typed, for the preview: what the row will be filed under.
        "category": get("category", "")[:120],
        "kind": get("kind", "")[:60],
        "theme": get("theme", "")[:120],
        "errors": [],
        "notes": [],
    }
    if organisation.strip().lower().startswith(EXAMPLE_MARKERS):
        return {**outcome, "status": EXAMPLE}
    consent = consent_value(get("consent", ""))
    if consent is None:
        outcome["errors"].append(
            {"column": labels["consent"], "message": str(_l("Valeur attendue : oui ou non."))}
        )
        consent = False
    if not consent and any(get(field) for field in CONTACT_FIELDS):
        # Same rule as the form: without consent, nothing that reaches the person is kept.
        outcome["notes"].append(
            str(_l("Coordonnées non conservées : pas de consentement à être recontacté."))
        )
    raw = {
        "client_id": str(uuid.uuid4()),
        "organisation": organisation,
        "category": reference.categories.code(get("category", "")),
        "job_title": get("job_title", ""),
        "consent_contact": consent,
        "name": get("name", ""),
        "email": get("email", ""),
        "phone": get("phone", ""),
        "language": language,
        "items": [
            {
                "kind": kinds.code(get("kind", "")),
                "text": text,
                "theme": reference.themes.code(get("theme", "")) or None,
                "priority": priorities.code(get("priority", "")) or None,
            }
        ],
    }
    try:
        clean = validate_submission(
            raw,
            categories=reference.category_codes,
            themes=reference.theme_codes,
            default_language=language,
        )
    except ValidationFailed as failure:
        for path, messages in failure.as_text().items():
            column = _PATH_FIELDS.get(path, path.rsplit(".", 1)[-1])
            for message in messages:
                if column in _CHOICES and message == str(INVALID_CHOICE):
                    message = _not_offered(get(column, ""), column, reference, language)
                outcome["errors"].append({"column": labels.get(column, column), "message": message})
    if outcome["errors"]:
        return {**outcome, "status": ERROR}
    item = clean.items[0]
    return {
        **outcome,
        "status": VALID,
        "fingerprint": fingerprint(stop_id, clean.organisation, item.text),
        "clean": {
            **{field: getattr(clean, field) for field in SUBMISSION_COLUMNS.values()},
            "kind": item.kind.value,
            "text": item.text,
            "theme": item.theme,
            "priority": item.priority.value if item.priority else None,
        },
    }
