"""Forms of the pages delegates and HQ share. They only parse; the services validate."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from feedback_app.web.fields import BoundedDateField


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
