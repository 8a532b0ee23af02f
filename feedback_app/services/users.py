"""Staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import Region, Role, User
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.passwords import MIN_PASSWORD_LENGTH, hash_password
from feedback_app.services.submission_input import MAX_NAME
from feedback_app.services.text import clean_line


def normalise_email(email: str) -> str:
    return clean_line(email).lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    region_slugs: list[str],
    name: str = "",
    password: str | None = None,
) -> User:
    """Create a staff account. Without a password the account waits for a set-password link."""
    email = normalise_email(email)
    name = clean_line(name or "")
    errors: dict[str, list[object]] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = [_l("Adresse e-mail non valide.")]
    elif find_user_by_email(session, email) is not None:
        errors["email"] = [_l("Un compte existe déjà avec cette adresse.")]
    if len(name) > MAX_NAME:
        errors["name"] = [_l("%(max)d caractères au plus.", max=MAX_NAME)]
    regions = list(session.scalars(select(Region).where(Region.slug.in_(region_slugs))).all())
    if len(regions) != len(set(region_slugs)):
        errors["regions"] = [_l("Région inconnue.")]
    if role is Role.DELEGATE and not region_slugs:
        errors["regions"] = [_l("Un délégué couvre au moins une région.")]
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [
            _l("Le mot de passe doit compter au moins %(min)d caractères.", min=MIN_PASSWORD_LENGTH)
        ]
    if errors:
        raise ValidationFailed(errors)
    password_hash = hash_password(password) if password is not None else None
    with write_transaction(session):
        user = User(
            email=email, name=name, role=role, password_hash=password_hash,
            regions=regions if role is Role.DELEGATE else [],
        )
        session.add(user)
    return user
