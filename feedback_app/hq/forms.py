"""Forms of the back office under /hq/. They only parse; the services validate and say what is
wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from feedback_app.labels import ROLE_LABELS
from feedback_app.locales import LANGUAGES
from feedback_app.models import Role
from feedback_app.services.ids import parse_id
from feedback_app.web.fields import BoundedDateField


class StopForm(FlaskForm):
    region = SelectField(_l("Région"), validate_choice=False)
    city = StringField(_l("Ville"))
    city_ar = StringField(_l("Ville en arabe"))
    city_en = StringField(_l("Ville en anglais"))
    venue = StringField(_l("Lieu (facultatif)"))
    venue_ar = StringField(_l("Lieu en arabe"))
    venue_en = StringField(_l("Lieu en anglais"))
    date = DateField(_l("Date"), validators=[Optional()])
    grace_hours = IntegerField(
        _l("Délai de grâce après clôture (heures)"), default=24, validators=[Optional()]
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"))
    name = StringField(_l("Nom"))
    role = SelectField(
        _l("Rôle"),
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        default=Role.DELEGATE.value,
    )
    regions = MultiCheckboxField(
        _l("Régions couvertes (délégués ; un observateur sans région voit toutes les régions)"),
        validate_choice=False,
    )


class ThemeForm(FlaskForm):
    name_fr = StringField(_l("Nom en français"))
    name_ar = StringField(_l("Nom en arabe"))
    name_en = StringField(_l("Nom en anglais"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    user = SelectField(_l("Utilisateur"), validate_choice=False)


# The synthesis workbook: which regions, stops, dates and statuses go into it.
LANGUAGE_CHOICES = [(language.code, language.name) for language in LANGUAGES.values()]


class ExportForm(FlaskForm):
    # Choices come from the reader's scope; a value outside it is answered 404 by the service,
    # exactly like a region or stop that does not exist.
    regions = MultiCheckboxField(_l("Régions"), validate_choice=False)
    stops = MultiCheckboxField(_l("Étapes"), coerce=str, validate_choice=False)
    since = BoundedDateField(_l("Reçues à partir du"), validators=[Optional()])
    until = BoundedDateField(_l("jusqu'au"), validators=[Optional()])
    statuses = MultiCheckboxField(
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


# Personal data on request.
class PrivacySearchForm(FlaskForm):
    query = StringField(_l("E-mail, téléphone ou nom"))


class PrivacyEraseForm(FlaskForm):
    confirm = BooleanField(_l("La personne a demandé l'effacement de ses coordonnées."))


class PeriodForm(FlaskForm):
    """The dashboard's period."""

    class Meta:
        csrf = False  # a GET filter that changes nothing

    since = BoundedDateField("", validators=[Optional()])
    until = BoundedDateField("", validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("")


class StopFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    region = SelectField(_l("Région"), validate_choice=False)
    status = SelectField(_l("Statut"), validate_choice=False)


class UploadForm(FlaskForm):
    """A stop's paper or spreadsheet intake file."""

    class Meta:
        csrf = False  # checked by csrf.protect() in the view, once the size limit is raised

    file = FileField(validators=[FileRequired()])
