"""The words for every code the application shows, in every interface language.

Kinds of entries, priorities, review and stop statuses, sources of submissions, staff roles:
pages and forms read them through the `*_LABELS` mappings (keyed by the models' enums, shown in
the reader's language), the API and the workbook as plain tables keyed by the codes
(`CODE_WORDS`: the workbook builder gets them as data and needs no model, Flask or Babel).
Categories, themes and regions are named in the database instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import TypeVar

from flask_babel import get_locale
from markupsafe import Markup, escape

from feedback_app.locales import DEFAULT_LANGUAGE, Words, word
from feedback_app.models import ItemKind, Priority, ReviewStatus, Role, StopStatus, SubmissionSource

Code = TypeVar("Code", bound=enum.StrEnum)

KINDS: dict[str, Words] = {
    "need": {"fr": "Besoin", "ar": "حاجة", "en": "Need"},
    "opportunity": {"fr": "Opportunité", "ar": "فرصة", "en": "Opportunity"},
    "challenge": {"fr": "Défi", "ar": "تحدٍّ", "en": "Challenge"},
    "proposal": {"fr": "Proposition", "ar": "مقترح", "en": "Proposal"},
}
KIND_PLURALS: dict[str, Words] = {
    "need": {"fr": "Besoins", "ar": "الاحتياجات", "en": "Needs"},
    "opportunity": {"fr": "Opportunités", "ar": "الفرص", "en": "Opportunities"},
    "challenge": {"fr": "Défis", "ar": "التحديات", "en": "Challenges"},
    "proposal": {"fr": "Propositions", "ar": "المقترحات", "en": "Proposals"},
}
# Addressed to the respondent on the form (the workbook describes the kinds in its own words).
KIND_HINTS: dict[str, Words] = {
    "need": {
        "fr": "Ce qui vous manque pour mieux travailler.",
        "ar": "ما ينقصكم لتحسين عملكم.",
        "en": "What you lack to work better.",
    },
    "opportunity": {
        "fr": "Ce que la région pourrait mieux valoriser.",
        "ar": "ما يمكن للجهة أن تُثمّنه بشكل أفضل.",
        "en": "What the region could make more of.",
    },
    "challenge": {
        "fr": "Ce qui freine votre activité.",
        "ar": "ما يعيق نشاطكم.",
        "en": "What holds your business back.",
    },
    "proposal": {
        "fr": "Une action concrète que vous proposez.",
        "ar": "إجراء ملموس تقترحونه.",
        "en": "A concrete action you propose.",
    },
}
PRIORITIES: dict[str, Words] = {
    "high": {"fr": "Haute", "ar": "عالية", "en": "High"},
    "medium": {"fr": "Moyenne", "ar": "متوسطة", "en": "Medium"},
    "low": {"fr": "Basse", "ar": "منخفضة", "en": "Low"},
}
REVIEW_STATUSES: dict[str, Words] = {
    "new": {"fr": "Nouvelle", "ar": "جديدة", "en": "New"},
    "reviewed": {"fr": "Examinée", "ar": "تمت مراجعتها", "en": "Reviewed"},
    "spam": {"fr": "Indésirable", "ar": "غير مرغوب فيها", "en": "Spam"},
}
SOURCES: dict[str, Words] = {
    "form": {"fr": "Formulaire", "ar": "الاستمارة", "en": "Form"},
    "api": {"fr": "API", "ar": "الواجهة البرمجية", "en": "API"},
    "tablet": {
        "fr": "Tablette (saisie papier)",
        "ar": "اللوحة (إدخال ورقي)",
        "en": "Tablet (typed from paper)",
    },
    "import": {"fr": "Import de fichier", "ar": "استيراد ملف", "en": "File import"},
}
STOP_STATUSES: dict[str, Words] = {
    "planned": {"fr": "Prévue", "ar": "مبرمجة", "en": "Planned"},
    "open": {"fr": "Ouverte", "ar": "مفتوحة", "en": "Open"},
    "closed": {"fr": "Clôturée", "ar": "مغلقة", "en": "Closed"},
}
COMMITMENT_STATUSES: dict[str, Words] = {
    "planned": {"fr": "Prévu", "ar": "مبرمج", "en": "Planned"},
    "in_progress": {"fr": "En cours", "ar": "قيد الإنجاز", "en": "In progress"},
    "done": {"fr": "Réalisé", "ar": "منجز", "en": "Done"},
    "dropped": {"fr": "Abandonné", "ar": "متخلى عنه", "en": "Dropped"},
}
ROLES: dict[str, Words] = {
    "delegate": {
        "fr": "Délégué(e) régional(e)",
        "ar": "مندوب(ة) جهوي(ة)",
        "en": "Regional delegate",
    },
    "hq": {"fr": "Siège", "ar": "الإدارة المركزية", "en": "Headquarters"},
    "observer": {"fr": "Observateur", "ar": "ملاحظ", "en": "Observer"},
}


# The review list's columns as a reader's file (.xlsx) heads them; the CSV and the BI feed keep
# the codes (stable for scripts, documented in the README). Keyed by the column code.
LIST_COLUMNS: dict[str, Words] = {
    "submission_id": {"fr": "N° de contribution", "ar": "رقم المساهمة", "en": "Contribution no."},
    "reference": {"fr": "Référence", "ar": "المرجع", "en": "Reference"},
    "received_at": {"fr": "Reçue le", "ar": "تاريخ الاستلام", "en": "Received at"},
    "region": {"fr": "Région (code)", "ar": "الجهة (الرمز)", "en": "Region (code)"},
    "region_name": {"fr": "Région", "ar": "الجهة", "en": "Region"},
    "stop_id": {"fr": "N° d'étape", "ar": "رقم المحطة", "en": "Stop no."},
    "stop_city": {"fr": "Étape (ville)", "ar": "المحطة (المدينة)", "en": "Stop (city)"},
    "stop_date": {"fr": "Date de l'étape", "ar": "تاريخ المحطة", "en": "Stop date"},
    "organisation": {"fr": "Organisation", "ar": "المؤسسة", "en": "Organisation"},
    "category": {"fr": "Catégorie (code)", "ar": "الفئة (الرمز)", "en": "Category (code)"},
    "category_name": {"fr": "Catégorie", "ar": "الفئة", "en": "Category"},
    "source": {"fr": "Provenance", "ar": "المصدر", "en": "Source"},
    "status": {"fr": "Statut", "ar": "الحالة", "en": "Status"},
    "entry_id": {"fr": "N° d'entrée", "ar": "رقم المدخل", "en": "Entry no."},
    "entry_position": {
        "fr": "Rang dans la contribution",
        "ar": "الترتيب في المساهمة",
        "en": "Position in contribution",
    },
    "kind": {"fr": "Type (code)", "ar": "النوع (الرمز)", "en": "Kind (code)"},
    "kind_name": {"fr": "Type", "ar": "النوع", "en": "Kind"},
    "theme": {"fr": "Thème (code)", "ar": "المحور (الرمز)", "en": "Theme (code)"},
    "theme_name": {"fr": "Thème", "ar": "المحور", "en": "Theme"},
    "priority": {"fr": "Priorité", "ar": "الأولوية", "en": "Priority"},
    "shortlisted": {"fr": "Retenue", "ar": "معتمد", "en": "Shortlisted"},
    "matches_filter": {"fr": "Répond au filtre", "ar": "يطابق التصفية", "en": "Matches the filter"},
    "text": {"fr": "Texte", "ar": "النص", "en": "Text"},
    "contact_name": {"fr": "Nom", "ar": "الاسم", "en": "Name"},
    "contact_job_title": {"fr": "Fonction", "ar": "الصفة", "en": "Job title"},
    "contact_email": {"fr": "E-mail", "ar": "البريد الإلكتروني", "en": "Email"},
    "contact_phone": {"fr": "Téléphone", "ar": "الهاتف", "en": "Phone"},
}


class Label:
    """A code's words that become text in the current page's language when shown."""

    __slots__ = ("words",)

    def __init__(self, words: Words) -> None:
        self.words = words

    def __str__(self) -> str:
        locale = get_locale()
        return word(self.words, locale.language if locale else DEFAULT_LANGUAGE)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __repr__(self) -> str:
        return f"Label({self.words[DEFAULT_LANGUAGE]!r})"


class LabelTable(Mapping[Code, Label]):
    """A words table for pages and forms, keyed by the enum in its order: labels shown in the
    reader's language. Read at each use, so a code added to the enum and its table shows."""

    def __init__(self, table: Mapping[str, Words], codes: type[Code]) -> None:
        self._table, self._codes = table, codes

    def __getitem__(self, code: Code) -> Label:
        return Label(self._table[self._codes(code).value])

    def __iter__(self) -> Iterator[Code]:
        return (code for code in self._codes if code.value in self._table)

    def __len__(self) -> int:
        return sum(1 for _code in self)


KIND_LABELS = LabelTable(KINDS, ItemKind)
KIND_PLURAL_LABELS = LabelTable(KIND_PLURALS, ItemKind)
KIND_HINT_LABELS = LabelTable(KIND_HINTS, ItemKind)
PRIORITY_LABELS = LabelTable(PRIORITIES, Priority)
STATUS_LABELS = LabelTable(REVIEW_STATUSES, ReviewStatus)
SOURCE_LABELS = LabelTable(SOURCES, SubmissionSource)
STOP_STATUS_LABELS = LabelTable(STOP_STATUSES, StopStatus)
ROLE_LABELS = LabelTable(ROLES, Role)

# The plain tables the workbook builder and the spreadsheet intake read, by kind of code.
CODE_WORDS: Mapping[str, Mapping[str, Words]] = {
    "kind": KINDS,
    "kind_plural": KIND_PLURALS,
    "priority": PRIORITIES,
    "status": REVIEW_STATUSES,
    "source": SOURCES,
    "commitment_status": COMMITMENT_STATUSES,
}
