"""Sign-in and set-password forms. They only parse; the services decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
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
