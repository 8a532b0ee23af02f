"""The stop form. It only parses; the submissions service validates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)

from feedback_app.models import ItemKind
from feedback_app.services.capture.validation import MAX_ITEMS

MAX_PER_KIND = MAX_ITEMS // len(ItemKind)


class ItemEntryForm(Form):
    text = TextAreaField(_l("Texte"))
    theme = SelectField(_l("Thème (facultatif)"), validate_choice=False)
    priority = SelectField(_l("Priorité (facultatif)"), validate_choice=False)


def _entries() -> FieldList:
    return FieldList(FormField(ItemEntryForm), min_entries=1, max_entries=MAX_PER_KIND)


class StopCodeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField(_l("Code de l'étape"))


class SubmissionForm(FlaskForm):
    client_id = HiddenField()
    organisation = StringField(_l("Organisation"))
    category = SelectField(_l("Catégorie professionnelle"), validate_choice=False)
    job_title = StringField(_l("Fonction (facultatif)"))
    consent_contact = BooleanField(_l("J'accepte d'être recontacté(e) au sujet de mes réponses."))
    name = StringField(_l("Nom et prénom (facultatif)"))
    email = EmailField(_l("E-mail"))
    phone = TelField(_l("Téléphone"))
    # Honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled by bots.
    website = StringField(_l("Laissez ce champ vide"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items_errors: list[str] = []

    def entry_lists(self) -> list[tuple[ItemKind, FieldList]]:
        return [(kind, self[kind.value]) for kind in ItemKind]

    def set_choices(self, categories, themes, priorities) -> None:
        self.category.choices = [("", _l("— Choisir —"))] + [(c.code, c.label) for c in categories]
        theme_choices = [("", _l("— Aucun —"))] + [(t.code, t.label) for t in themes]
        priority_choices = [("", _l("— Aucune —"))] + [(p.code, p.label) for p in priorities]
        for _kind, entries in self.entry_lists():
            for entry in entries:
                entry.theme.choices = theme_choices
                entry.priority.choices = priority_choices

    def as_payload(self, language: str) -> tuple[dict, list]:
        """The raw submission for the service, and the entry subforms in item order."""
        items, subforms = [], []
        for kind, entries in self.entry_lists():
            for entry in entries:
                items.append(
                    {
                        "kind": kind.value,
                        "text": entry.text.data or "",
                        "theme": entry.theme.data or None,
                        "priority": entry.priority.data or None,
                    }
                )
                subforms.append(entry)
        payload = {
            "client_id": self.client_id.data,
            "organisation": self.organisation.data,
            "category": self.category.data,
            "job_title": self.job_title.data,
            "consent_contact": bool(self.consent_contact.data),
            "name": self.name.data,
            "email": self.email.data,
            "phone": self.phone.data,
            "language": language,
            "items": items,
        }
        return payload, subforms


# One list of entries per kind, in the kinds' order: a new kind of entry gets its list.
for _kind in ItemKind:
    setattr(SubmissionForm, _kind.value, _entries())
