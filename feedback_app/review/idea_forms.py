"""Forms of the idea-group pages: rename, confirm, split, merge (all POST, with CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from feedback_app.services.idea_curation import MAX_TITLE

_MAX_ID = 2**31 - 1


class RenameForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        validators=[
            DataRequired(_l("Donnez un titre.")),
            Length(max=MAX_TITLE, message=_l("%(max)d caractères au plus.")),
        ],
    )


class ConfirmForm(FlaskForm):
    pass


class SplitForm(FlaskForm):
    items = SelectMultipleField(
        _l("Éléments à séparer"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Cochez au moins un élément."))],
    )


class MergeForm(FlaskForm):
    other = IntegerField(
        _l("Numéro du groupe à fusionner dans celui-ci"),
        validators=[
            DataRequired(_l("Indiquez un numéro de groupe.")),
            NumberRange(min=1, max=_MAX_ID, message=_l("Numéro de groupe inconnu.")),
        ],
    )
