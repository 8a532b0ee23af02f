"""HQ's management of staff accounts: create, edit, deactivate, hand over set-password links.

HQ never chooses nor sees a password: a new account, or a reset, gets a one-time link.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from feedback_app.database import write_transaction
from feedback_app.models import Role, User
from feedback_app.services import audit
from feedback_app.services.accounts.tokens import issue_token
from feedback_app.services.accounts.users import add_user, check_user_fields, user_snapshot
from feedback_app.services.errors import NotFound, ValidationFailed


def list_users(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .options(selectinload(User.regions))
            .order_by(User.active.desc(), User.role, User.email)
        )
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    return user


def create_with_link(
    session: Session,
    *,
    actor_id: int,
    email: str,
    role: Role,
    region_slugs: list[str],
    name: str = "",
) -> tuple[User, str]:
    """A new account without a password, and the link its owner uses to choose one."""
    email, name, regions = check_user_fields(
        session, email=email, role=role, region_slugs=region_slugs, name=name
    )
    with write_transaction(session):
        user = add_user(
            session, actor_id=actor_id, email=email, name=name, role=role, regions=regions
        )
        token = issue_token(session, user=user, actor_id=actor_id)
    return user, token


def _other_active_hq(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                User.role == Role.HQ, User.active.is_(True), User.id != user_id
            )
        )
        or 0
    )


def update_user(
    session: Session,
    *,
    actor_id: int,
    user_id: int,
    email: str,
    name: str,
    role: Role,
    region_slugs: list[str],
) -> User:
    email, name, regions = check_user_fields(
        session, email=email, role=role, region_slugs=region_slugs, name=name, user_id=user_id
    )
    with write_transaction(session):
        user = get_user(session, user_id)
        if user.role is Role.HQ and role is not Role.HQ:
            if user_id == actor_id:
                raise ValidationFailed(
                    {"role": [_l("Vous ne pouvez pas retirer votre propre accès siège.")]}
                )
            if user.active and not _other_active_hq(session, user_id):
                raise ValidationFailed(
                    {"role": [_l("Il doit rester au moins un compte siège actif.")]}
                )
        before = user_snapshot(user)
        user.email, user.name, user.role = email, name, role
        user.regions = regions
        audit.record_change(
            session,
            actor_id=actor_id,
            action="user.update",
            target_type="user",
            target_id=user.id,
            before=before,
            after=user_snapshot(user),
        )
    return user


def set_active(session: Session, *, actor_id: int, user_id: int, active: bool) -> User:
    """Deactivating ends every session of the account at once (its cookies stop working)."""
    with write_transaction(session):
        user = get_user(session, user_id)
        if not active and user_id == actor_id:
            raise ValidationFailed(
                {"active": [_l("Vous ne pouvez pas désactiver votre propre compte.")]}
            )
        if user.active == active:
            return user
        user.active = active
        if not active:
            user.session_version += 1
        audit.record(
            session,
            actor_id=actor_id,
            action="user.reactivate" if active else "user.deactivate",
            target_type="user",
            target_id=user.id,
            before={"active": not active},
            after={"active": active},
        )
    return user


def new_link(session: Session, *, actor_id: int, user_id: int) -> tuple[User, str]:
    """A fresh set-password link (earlier ones stop working); the password stays until used."""
    with write_transaction(session):
        user = get_user(session, user_id)
        if not user.active:
            raise ValidationFailed({"active": [_l("Réactivez d'abord ce compte.")]})
        token = issue_token(session, user=user, actor_id=actor_id)
    return user, token
