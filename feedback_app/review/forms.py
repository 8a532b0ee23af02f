"""Forms of the review desk: list filters (GET), the submission page and bulk actions (POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from feedback_app.labels import SOURCE_LABELS, STATUS_LABELS
from feedback_app.services.ideas.curation import MAX_TITLE
from feedback_app.services.review import signoff
from feedback_app.services.review.actions import MAX_NOTE
from feedback_app.web.fields import BoundedDateField

NO_THEME = "none"
# WTForms' own Arabic catalog lacks its length messages: say it in ours.
TOO_LONG = _l("%(max)d caractères au plus.")


class FilterForm(FlaskForm):
    """The list's filters, read from the query string; an invalid one is shown and ignored.

    Every select defaults to "" (no filter), so that an absent parameter is valid.
    """

    class Meta:
        csrf = False

    region = SelectField(_l("Région"), choices=[], default="")
    stop = SelectField(_l("Étape"), choices=[], default="")
    status = SelectField(_l("Statut"), choices=[], default="")
    category = SelectField(_l("Catégorie"), choices=[], default="")
    kind = SelectField(_l("Type"), choices=[], default="")
    theme = SelectField(_l("Thème"), choices=[], default="")
    source = SelectField(
        _l("Provenance"),
        default="",
        choices=[
            ("", _l("Toutes")),
            *((s.value, label) for s, label in SOURCE_LABELS.items()),
        ],
    )
    shortlisted = SelectField(
        _l("Retenues"),
        default="",
        choices=[
            ("", _l("Toutes")),
            ("1", _l("Avec une entrée retenue")),
            ("0", _l("Sans entrée retenue")),
        ],
    )
    date_from = BoundedDateField(_l("Reçues du"), validators=[Optional()])
    date_to = BoundedDateField(_l("au"), validators=[Optional()])
    q = StringField(_l("Rechercher"), validators=[Optional(), Length(max=200, message=TOO_LONG)])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("La date de fin précède la date de début."))


class ItemReviewForm(Form):
    """One item of the submission page; `id` says which (the service checks it is this one's)."""

    id = HiddenField()
    kind = SelectField(_l("Type"), choices=[])
    theme = SelectField(_l("Thème"), choices=[])
    priority = SelectField(_l("Priorité"), choices=[])
    shortlisted = BooleanField(_l("Retenir"))


class ReviewForm(FlaskForm):
    """The whole submission page in one form, saved at once: nothing typed is left behind."""

    status = RadioField(
        _l("Statut"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()]
    )
    items = FieldList(FormField(ItemReviewForm))
    note = TextAreaField(_l("Nouvelle note"), validators=[Length(max=MAX_NOTE, message=TOO_LONG)])


class BulkForm(FlaskForm):
    """A selection from the list and what to do with it (the pressed button's `action`)."""

    action = SelectField(
        choices=[
            ("reviewed", _l("Marquer examinées")),
            ("spam", _l("Marquer indésirables")),
            ("theme", _l("Appliquer le thème")),
        ]
    )
    theme = SelectField(_l("Thème à appliquer"), choices=[])
    submission_ids = SelectMultipleField(coerce=int, validate_choice=False)
    item_ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()


# Idea-group pages: rename, split, merge (confirm is a bare ActionForm).
_MAX_ID = 2**31 - 1


class RenameForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        validators=[
            DataRequired(_l("Donnez un titre.")),
            Length(max=MAX_TITLE, message=_l("%(max)d caractères au plus.")),
        ],
    )


class SplitForm(FlaskForm):
    items = SelectMultipleField(
        _l("Entrées à séparer"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Cochez au moins une entrée."))],
    )


class MergeForm(FlaskForm):
    other = IntegerField(
        _l("Numéro du groupe à fusionner dans celui-ci"),
        validators=[
            DataRequired(_l("Indiquez un numéro de groupe.")),
            NumberRange(min=1, max=_MAX_ID, message=_l("Numéro de groupe inconnu.")),
        ],
    )


# A stop's sign-off and its reopening by HQ.
class SignOffForm(FlaskForm):
    summary = TextAreaField(
        _l("Synthèse de l'étape"), validators=[Length(max=signoff.MAX_SUMMARY, message=TOO_LONG)]
    )
    # Asked only when the stop is still open or holds new entries (review/signoff.py).
    confirm = BooleanField(_l("Je signe quand même : ces contributions deviennent définitives."))


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison de la réouverture"),
        validators=[Length(max=signoff.MAX_REASON, message=TOO_LONG)],
    )


# Share links to a region's brief (review/sharing.py).
class ShareLinkForm(FlaskForm):
    region = HiddenField()
    days = SelectField(
        _l("Valable"),
        choices=[
            ("1", _l("1 jour")),
            ("7", _l("7 jours")),
            ("30", _l("30 jours")),
        ],
        default="7",
    )
