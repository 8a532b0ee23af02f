"""HQ forms. They only parse; the services validate and say what is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from feedback_app.labels import ROLES, labels
from feedback_app.models import Role

ROLE_LABELS = labels(ROLES, Role)


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
    regions = MultiCheckboxField(_l("Régions couvertes (délégués)"), validate_choice=False)


class ThemeForm(FlaskForm):
    name_fr = StringField(_l("Nom en français"))
    name_ar = StringField(_l("Nom en arabe"))
    name_en = StringField(_l("Nom en anglais"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    user = SelectField(_l("Utilisateur"), validate_choice=False)
