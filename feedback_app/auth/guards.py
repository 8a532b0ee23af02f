"""Decorators and helpers that staff views use to know who is asking and what they may see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from feedback_app.services.access import Scope, scope_for


def current_scope() -> Scope:
    """The regions the signed-in staff member may read and change."""
    return scope_for(current_user._get_current_object())


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    return login_required(view)


def hq_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_hq:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapped)


def may_export_contacts(user: Any) -> bool:
    """Who may ask for the contact columns of an exported list (headquarters)."""
    return bool(user.is_authenticated and user.is_hq)
