"""Staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import Region, Role, User
from feedback_app.services import audit
from feedback_app.services.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from feedback_app.services.capture.validation import MAX_NAME
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.permissions import Regions, regions_of
from feedback_app.services.text import check_visible, clean_line


def normalise_email(email: str) -> str:
    return clean_line(email).lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def check_user_fields(
    session: Session,
    *,
    email: str,
    role: Role,
    region_slugs: list[str],
    name: str = "",
    user_id: int | None = None,
) -> tuple[str, str, list[Region]]:
    """Cleaned email, name and regions of an account (none for a role covering every region),
    or ValidationFailed.

    `user_id` is the account being edited, whose own address is not a duplicate.
    """
    email = normalise_email(email)
    name = clean_line(name or "")
    errors: dict[str, list[object]] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = [_l("Adresse e-mail non valide.")]
    else:
        existing = find_user_by_email(session, email)
        if existing is not None and existing.id != user_id:
            errors["email"] = [_l("Un compte existe déjà avec cette adresse.")]
    if len(name) > MAX_NAME:
        errors["name"] = [_l("%(max)d caractères au plus.", max=MAX_NAME)]
    check_visible(name, "name", errors)
    regions = list(
        session.scalars(
            select(Region).where(Region.slug.in_(region_slugs)).order_by(Region.position)
        ).all()
    )
    if len(regions) != len(set(region_slugs)):
        errors["regions"] = [_l("Région inconnue.")]
    covers = regions_of(role)
    if covers is Regions.REQUIRED and not region_slugs:
        errors["regions"] = [_l("Un délégué couvre au moins une région.")]
    if errors:
        raise ValidationFailed(errors)
    return email, name, [] if covers is Regions.ALL else regions


def add_user(
    session: Session,
    *,
    actor_id: int | None,
    email: str,
    name: str,
    role: Role,
    regions: list[Region],
    password_hash: str | None = None,
) -> User:
    """A new account and its audit event, in the caller's transaction (fields already checked)."""
    user = User(email=email, name=name, role=role, password_hash=password_hash, regions=regions)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="user.create",
        target_type="user",
        target_id=user.id,
        after=user_snapshot(user),
    )
    return user


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    region_slugs: list[str],
    name: str = "",
    password: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Create a staff account. Without a password the account waits for a set-password link."""
    errors: dict[str, list[object]] = {}
    try:
        email, name, regions = check_user_fields(
            session, email=email, role=role, region_slugs=region_slugs, name=name
        )
    except ValidationFailed as failure:
        errors.update(failure.errors)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [
            _l("Le mot de passe doit compter au moins %(min)d caractères.", min=MIN_PASSWORD_LENGTH)
        ]
    if errors:
        raise ValidationFailed(errors)
    password_hash = hash_password(password) if password is not None else None
    with write_transaction(session):
        user = add_user(
            session,
            actor_id=actor_id,
            email=email,
            name=name,
            role=role,
            regions=regions,
            password_hash=password_hash,
        )
    return user


def user_snapshot(user: User) -> dict[str, object]:
    """The audited fields of an account (never its password hash)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "regions": sorted(region.slug for region in user.regions),
        "active": user.active,
    }
