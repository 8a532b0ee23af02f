"""Validation of a submission, shared by the public form and the JSON API.

The input is the raw mapping a client sent; nothing is trusted, types included. Every problem
is collected so the respondent sees all of them at once, next to their fields.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import ItemKind, Priority
from feedback_app.models.types import as_utc
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.text import INVISIBLE, clean_line, clean_multiline, has_visible_text

MAX_ORGANISATION = 200
MAX_NAME = 120
MAX_JOB_TITLE = 120
MAX_EMAIL = 254
MAX_PHONE = 32
MAX_ITEM_TEXT = 4000
MAX_ITEMS = 40
# What identifies or reaches the person: read only with consent, erased by purge and erasure.
CONTACT_FIELDS = ("name", "job_title", "email", "phone")
_MAX_TIMESTAMP = 40


@dataclass(frozen=True)
class CleanItem:
    kind: ItemKind
    text: str
    theme: str | None = None
    priority: Priority | None = None


@dataclass(frozen=True)
class CleanSubmission:
    client_id: uuid.UUID
    organisation: str
    category: str
    name: str | None
    job_title: str | None
    email: str | None
    phone: str | None
    consent_contact: bool
    language: str
    items: list[CleanItem] = field(default_factory=list)
    # When the respondent pressed "send" on their device (the offline queue says so), in UTC.
    filled_at: dt.datetime | None = None


# What the respondent gave, stored as it is: Submission column -> CleanSubmission field.
SUBMISSION_COLUMNS = {
    "organisation": "organisation",
    "category_code": "category",
    "person_name": "name",
    "job_title": "job_title",
    "email": "email",
    "phone": "phone",
    "consent_contact": "consent_contact",
    "language": "language",
}


class _Errors(dict[str, list[object]]):
    def add(self, path: str, message: object) -> None:
        self.setdefault(path, []).append(message)


class _PrefixedErrors(_Errors):
    def __init__(self, parent: _Errors, prefix: str) -> None:
        super().__init__()
        self._parent = parent
        self._prefix = prefix

    def add(self, path: str, message: object) -> None:
        self._parent.add(f"{self._prefix}.{path}", message)


def parse_client_id(value: Any) -> uuid.UUID | None:
    """The client's UUID; the nil UUID is refused (every buggy client would share it)."""
    if isinstance(value, str):
        try:
            value = uuid.UUID(value.strip())
        except ValueError:
            return None
    if not isinstance(value, uuid.UUID) or value.int == 0:
        return None
    return value


def parse_filled_at(value: Any) -> dt.datetime | None:
    """An ISO 8601 date-time from the device, in UTC (no zone given means UTC); else None."""
    if not isinstance(value, str) or len(value) > _MAX_TIMESTAMP:
        return None
    try:
        return as_utc(dt.datetime.fromisoformat(value.strip()))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted by its offset
        return None


# The form refuses contact details typed without consent (rather than dropping them silently):
# the message says what to do, and nothing about keeping them, since nothing is sent.
CONSENT_MISSING = _l(
    "Vous avez saisi des coordonnées sans cocher cette case : cochez-la pour être "
    "recontacté(e), ou effacez-les pour envoyer sans elles."
)
# The example number reads left to right in an Arabic sentence and never wraps ("78)." alone on
# a line): isolated left to right (U+2066 … U+2069, what <bdi dir="ltr"> does in HTML) with
# no-break spaces (what white-space: nowrap does). Plain text, for the JSON API too.
PHONE_EXAMPLE = "\u206606\u00a012\u00a034\u00a056\u00a078\u2069"
INVALID_CHOICE = _l("Choix non valide.")
EMAIL_INVALID = _l("Adresse e-mail non valide.")
PHONE_INVALID = _l("Numéro de téléphone non valide (ex. %(example)s).", example=PHONE_EXAMPLE)


def validate_submission(
    raw: Any,
    *,
    categories: Sequence[str],
    themes: Sequence[str],
    default_language: str = "fr",
    refuse_unconsented_contact: bool = False,
) -> CleanSubmission:
    """Return the cleaned submission or raise ValidationFailed with every error found.

    Contact details are checked whether or not consent is given (a mistyped address is said
    at once) but kept only with it. Without consent they are dropped, or, with
    `refuse_unconsented_contact` (the stop form), refused with a request to tick or clear.
    """
    errors = _Errors()
    if not isinstance(raw, Mapping):
        raise ValidationFailed({"_body": [_l("Le contenu doit être un objet JSON.")]})

    client_id = parse_client_id(raw.get("client_id"))
    if client_id is None:
        errors.add("client_id", _l("Identifiant client manquant ou invalide (UUID attendu)."))

    organisation = _text(raw, "organisation", MAX_ORGANISATION, errors, required=True)
    category = _choice(raw, "category", categories, errors, required=True)
    consent = raw.get("consent_contact", False)
    if consent is None:
        consent = False
    if not isinstance(consent, bool):
        errors.add("consent_contact", _l("Valeur attendue : vrai ou faux."))
        consent = False
    name = _text(raw, "name", MAX_NAME, errors)
    job_title = _text(raw, "job_title", MAX_JOB_TITLE, errors)
    # Checked whether or not consent is given: a mistyped address is said at once.
    email = _email(raw, errors)
    phone = _phone(raw, errors)
    if not consent:
        typed = any(isinstance(raw.get(key), str) and raw[key].strip() for key in CONTACT_FIELDS)
        if typed and refuse_unconsented_contact:
            errors.add(
                "consent_contact",
                CONSENT_MISSING,
            )
        # Without consent nothing that identifies or reaches the person is kept: a job title
        # in a small organisation ("director of ...") identifies its holder too.
        name = job_title = email = phone = None

    language = raw.get("language") or default_language
    if language not in LANGUAGE_CODES:
        errors.add("language", _l("Langue non prise en charge."))
        language = default_language

    items = _items(raw.get("items"), themes, errors)
    filled_at = parse_filled_at(raw.get("filled_at"))
    if raw.get("filled_at") is not None and filled_at is None:
        errors.add("filled_at", _l("Date et heure attendues (ISO 8601)."))
    if errors:
        raise ValidationFailed(errors)
    assert client_id is not None and organisation is not None and category is not None
    return CleanSubmission(
        client_id=client_id,
        organisation=organisation,
        category=category,
        name=name,
        job_title=job_title,
        email=email,
        phone=phone,
        consent_contact=consent,
        language=language,
        items=items,
        filled_at=filled_at,
    )


def _text(
    raw: Mapping[str, Any], key: str, max_length: int, errors: _Errors, *, required: bool = False
) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        errors.add(key, _l("Texte attendu."))
        return None
    value = clean_line(value or "")
    if not value:
        if required:
            errors.add(key, _l("Ce champ est obligatoire."))
        return None
    if not has_visible_text(value):
        errors.add(key, INVISIBLE)
        return None
    if len(value) > max_length:
        errors.add(key, _l("%(max)d caractères au plus.", max=max_length))
        return None
    return value


def _choice(
    raw: Mapping[str, Any],
    key: str,
    allowed: Sequence[str],
    errors: _Errors,
    *,
    required: bool = False,
) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            errors.add(key, _l("Ce champ est obligatoire."))
        return None
    if not isinstance(value, str) or value not in allowed:
        errors.add(key, INVALID_CHOICE)
        return None
    return value


def _email(raw: Mapping[str, Any], errors: _Errors) -> str | None:
    value = _text(raw, "email", MAX_EMAIL, errors)
    if value is None:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors.add("email", EMAIL_INVALID)
        return None


def _phone(raw: Mapping[str, Any], errors: _Errors) -> str | None:
    value = _text(raw, "phone", MAX_PHONE, errors)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, "MA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        errors.add("phone", PHONE_INVALID)
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _items(value: Any, themes: Sequence[str], errors: _Errors) -> list[CleanItem]:
    if value is None:
        value = []
    if not isinstance(value, list):
        errors.add("items", _l("Liste attendue."))
        return []
    if len(value) > MAX_ITEMS:
        errors.add("items", _l("%(max)d contributions au plus.", max=MAX_ITEMS))
        return []
    kinds = [k.value for k in ItemKind]
    priorities = [p.value for p in Priority]
    items: list[CleanItem] = []
    for index, entry in enumerate(value):
        path = f"items.{index}"
        if not isinstance(entry, Mapping):
            errors.add(path, _l("Objet attendu."))
            continue
        text = entry.get("text")
        if text is not None and not isinstance(text, str):
            errors.add(f"{path}.text", _l("Texte attendu."))
            continue
        text = clean_multiline(text or "")
        if not text:
            continue  # an empty box on the form is not an entry
        if not has_visible_text(text):
            errors.add(f"{path}.text", INVISIBLE)
            continue
        if len(text) > MAX_ITEM_TEXT:
            errors.add(f"{path}.text", _l("%(max)d caractères au plus.", max=MAX_ITEM_TEXT))
        item_errors = _PrefixedErrors(errors, path)
        kind = _choice(entry, "kind", kinds, item_errors, required=True)
        theme = _choice(entry, "theme", themes, item_errors)
        priority = _choice(entry, "priority", priorities, item_errors)
        if kind is not None and len(text) <= MAX_ITEM_TEXT:
            items.append(
                CleanItem(
                    kind=ItemKind(kind),
                    text=text,
                    theme=theme,
                    priority=Priority(priority) if priority else None,
                )
            )
    if not items and "items" not in errors and not any(k.startswith("items.") for k in errors):
        errors.add(
            "items",
            _l("Écrivez au moins un besoin, une opportunité, un défi ou une proposition."),
        )
    return items
