"""Decorators and helpers that staff views use to know who is asking and what they may do."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from feedback_app.services.access import Scope, scope_for
from feedback_app.services.permissions import Permission


def current_scope() -> Scope:
    """The regions the signed-in staff member may read, and what they may do there."""
    return scope_for(current_user._get_current_object())


def can(permission: Permission | str) -> bool:
    """Whether the signed-in staff member holds `permission` (templates: `can("review:write")`)."""
    return current_user.is_authenticated and current_scope().can(Permission(permission))


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any signed-in staff member: what they see is narrowed by their scope."""
    return login_required(view)


def permission_required(permission: Permission) -> Callable[[Callable[..., Any]], Any]:
    """Signed in and holding `permission`, else 403 (before anything is looked up)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_scope().can(permission):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorate
