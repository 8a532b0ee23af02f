"""Matching an intake file's headers and coded values leniently, in French, Arabic or English.

Headers and values are compared folded (case, accents, Arabic vowel marks and spacing ignored,
punctuation dropped), so "E-mail", "email", "البريد الإلكتروني" and "Adresse e-mail" all match.
A template header holds two languages ("Organisation / المؤسسة"): each half is tried too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from feedback_app.exports.labels import LABELS, Labels
from feedback_app.labels import CODE_WORDS
from feedback_app.models import ItemKind, Priority, fold

FIELDS = (
    "organisation",
    "category",
    "kind",
    "text",
    "theme",
    "priority",
    "name",
    "job_title",
    "email",
    "phone",
    "consent",
)
REQUIRED = ("organisation", "category", "kind", "text")
_EXPORT_KEYS = {"name": "person_name"}
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "organisation": (
        "organization",
        "entreprise",
        "societe",
        "etablissement",
        "structure",
        "nom de l'organisation",
        "raison sociale",
        "organisation name",
        "organization name",
        "اسم المؤسسة",
        "الشركة",
        "المنظمة",
    ),
    "category": ("categorie professionnelle", "secteur", "professional category", "القطاع"),
    "kind": ("type de contribution", "nature", "contribution type", "نوع المساهمة"),
    "text": (
        "contribution",
        "texte de la contribution",
        "description",
        "comment",
        "commentaire",
        "المساهمة",
        "نص المساهمة",
    ),
    "theme": ("axe", "المحور الموضوعاتي", "الموضوع"),
    "priority": ("urgence",),
    "name": ("nom et prenom", "nom complet", "full name", "contact", "الاسم الكامل"),
    "job_title": ("poste", "titre", "job", "position", "role", "المنصب", "الوظيفة"),
    "email": ("adresse e-mail", "courriel", "mail", "e-mail address", "email address", "البريد"),
    "phone": (
        "tel",
        "telephone",
        "portable",
        "gsm",
        "mobile",
        "phone number",
        "الهاتف المحمول",
        "رقم الهاتف",
    ),
    "consent": (
        "consentement",
        "accord",
        "accepte d'etre recontacte",
        "agreed to be contacted",
        "الموافقة",
        "موافقة",
    ),
}
CONSENT_LABELS = {
    "fr": "Consentement (oui/non)",
    "ar": "الموافقة (نعم/لا)",
    "en": "Consent (yes/no)",
}
_YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x", "نعم", "ok"})
_NO = frozenset({"non", "n", "no", "false", "faux", "0", "لا", ""})
_PUNCTUATION = re.compile(r"[\W_]+")
_HALVES = re.compile(r"\s*[/|—–]\s*|\s+-\s+|\(|\)")


def key(value: str) -> str:
    """The comparison key of a header or a coded value."""
    return _PUNCTUATION.sub("", fold(value))


def header_label(field: str, language: str) -> str:
    if field == "consent":
        return CONSENT_LABELS.get(language, CONSENT_LABELS["fr"])
    return Labels(language, CODE_WORDS).column(_EXPORT_KEYS.get(field, field))


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for field in FIELDS:
        words = [field, *_EXTRA_ALIASES.get(field, ())]
        words += [header_label(field, language) for language in LABELS]
        for word in words:
            aliases.setdefault(key(word), field)
    return aliases


_HEADER_ALIASES = _header_aliases()


def match_headers(header: Sequence[str]) -> dict[str, int]:
    """field -> column index; the first column matching a field wins, unknown ones are ignored."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        candidates = [cell, *(part for part in _HALVES.split(cell) if part)]
        for candidate in candidates:
            field = _HEADER_ALIASES.get(key(candidate))
            if field is not None:
                columns.setdefault(field, index)
                break
    return columns


@dataclass(frozen=True)
class ValueMatcher:
    """Turns what a person typed for a coded column (a code or a label) into its code."""

    aliases: Mapping[str, str]

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Iterable[str]]]) -> ValueMatcher:
        aliases: dict[str, str] = {}
        for code, labels in entries:
            for label in (code, *labels):
                aliases.setdefault(key(label), code)
        return cls(aliases)

    def code(self, value: str) -> str:
        """The code, or the value unchanged so that validation reports it as an invalid choice."""
        if not value:
            return ""
        whole = self.aliases.get(key(value))
        if whole is not None:
            return whole
        # A drop-down entry of the template reads "Label / التسمية": either half will do.
        for part in _HALVES.split(value):
            found = self.aliases.get(key(part)) if part else None
            if found is not None:
                return found
        return value


def kind_matcher() -> ValueMatcher:
    return ValueMatcher.of(
        (
            kind.value,
            [Labels(lang, CODE_WORDS).kind(kind.value) for lang in LABELS]
            + [Labels(lang, CODE_WORDS).kind_plural(kind.value) for lang in LABELS],
        )
        for kind in ItemKind
    )


def priority_matcher() -> ValueMatcher:
    return ValueMatcher.of(
        (p.value, [Labels(lang, CODE_WORDS).priority(p.value) for lang in LABELS]) for p in Priority
    )


def consent_value(value: str) -> bool | None:
    """True, False, or None when the cell says neither."""
    folded = key(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None
