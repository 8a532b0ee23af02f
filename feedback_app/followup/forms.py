"""Forms of the commitment pages. They only parse; services/followup validates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from feedback_app.labels import COMMITMENT_STATUSES, LabelTable
from feedback_app.models import CommitmentStatus
from feedback_app.web.fields import BoundedDateField

STATUS_LABELS = LabelTable(COMMITMENT_STATUSES, CommitmentStatus)


class CommitmentForm(FlaskForm):
    title_fr = StringField(_l("Titre en français"))
    title_ar = StringField(_l("Titre en arabe"))
    title_en = StringField(_l("Titre en anglais (facultatif)"))
    description_fr = TextAreaField(_l("Description en français"))
    description_ar = TextAreaField(_l("Description en arabe"))
    description_en = TextAreaField(_l("Description en anglais (facultatif)"))
    owner = StringField(_l("Porteur (institution)"))
    # The services check the choices (and say why, next to the field).
    regions = SelectMultipleField(
        _l("Régions (aucune : engagement national)"), choices=[], validate_choice=False
    )
    parent_id = SelectField(
        _l("Rattaché à l'engagement national"), choices=[], validate_choice=False
    )
    group_ids = StringField(_l("Idées récurrentes (numéros, séparés par des virgules)"))
    item_ids = StringField(_l("Éléments retenus (numéros, séparés par des virgules)"))


class StatusForm(FlaskForm):
    status = SelectField(_l("Statut"), choices=[])
    progress = IntegerField(_l("Avancement (%)"), validators=[Optional()])
    reason = TextAreaField(_l("Motif public du changement"))


class MilestoneForm(FlaskForm):
    due = BoundedDateField(_l("Date"), validators=[Optional()])
    label_fr = StringField(_l("Jalon en français"))
    label_ar = StringField(_l("Jalon en arabe"))
    label_en = StringField(_l("Jalon en anglais (facultatif)"))


class MilestoneDoneForm(FlaskForm):
    done = BooleanField(_l("Atteint"))


def numbers(text: str | None) -> tuple[list[int], bool]:
    """The numbers typed in a list ("12, 15 19"), and whether everything typed was one."""
    parts = [p for p in (text or "").replace(",", " ").replace("،", " ").split() if p]
    found = [int(p.lstrip("#")) for p in parts if p.lstrip("#").isdigit() and len(p) < 10]
    return found, len(found) == len(parts)


class BulkUploadForm(FlaskForm):
    file = FileField(_l("Fichier (.xlsx, .ods ou .csv)"), validators=[FileRequired()])


class BulkConfirmForm(FlaskForm):
    rows = HiddenField()
