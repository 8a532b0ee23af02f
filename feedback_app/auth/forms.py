"""Sign-in and set-password forms. They only parse; the services decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(_l("Indiquez votre e-mail."))])
    password = PasswordField(
        _l("Mot de passe"), validators=[InputRequired(_l("Indiquez votre mot de passe."))]
    )
    next = HiddenField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"))
    confirm = PasswordField(_l("Confirmez le mot de passe"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(_l("Indiquez votre e-mail."))])


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton"))
    days = SelectField(
        _l("Validité"),
        choices=[
            ("30", _l("30 jours")),
            ("90", _l("90 jours")),
            ("180", _l("180 jours")),
            ("365", _l("1 an")),
        ],
        default="90",
    )
