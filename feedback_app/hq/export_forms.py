"""The export form: which regions, stops, dates and statuses go into the workbook."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from feedback_app.services.ids import parse_id
from feedback_app.web.fields import BoundedDateField

LANGUAGE_CHOICES = [("fr", "Français"), ("ar", "العربية"), ("en", "English")]


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ExportForm(FlaskForm):
    # Choices come from the reader's scope; a value outside it is answered 404 by the service,
    # exactly like a region or stop that does not exist.
    regions = _Checkboxes(_l("Régions"), validate_choice=False)
    stops = _Checkboxes(_l("Étapes"), coerce=str, validate_choice=False)
    since = BoundedDateField(_l("Reçues à partir du"), validators=[Optional()])
    until = BoundedDateField(_l("jusqu'au"), validators=[Optional()])
    statuses = _Checkboxes(
        _l("Statut des contributions"),
        choices=[("new", _l("Nouvelles")), ("reviewed", _l("Examinées"))],
        validate_choice=False,
    )
    language = SelectField(_l("Langue du classeur"), choices=LANGUAGE_CHOICES, default="fr")
    contacts = BooleanField(
        _l("Inclure les coordonnées des personnes qui ont accepté d'être recontactées"),
        default=False,  # personal data goes out only when asked for
    )

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("La date de fin précède la date de début."))

    def validate_stops(self, field: SelectMultipleField) -> None:
        if any(parse_id(value) is None for value in field.data or []):
            raise ValidationError(_l("Étape inconnue."))
