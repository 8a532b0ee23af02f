"""The edge between forms and services: service errors next to their fields, and addresses
(safe redirects, absolute links)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask_wtf import FlaskForm
from wtforms import Field

from feedback_app.services.errors import ValidationFailed

FieldFinder = Callable[[str], Field | None]


class ActionForm(FlaskForm):
    """A button that changes something (open, close, retire...): only the CSRF token."""


def attach_errors(
    form: FlaskForm, failure: ValidationFailed, field_for: FieldFinder | None = None
) -> list[str]:
    """Put each service error next to its field; the messages without a field are returned.

    A service names fields by path ("email", "items.2.text"); `field_for` maps a path to the
    form's field when it is not simply a top-level field name.
    """
    find = field_for or form._fields.get
    loose: list[str] = []
    for path, messages in failure.as_text().items():
        field = find(path)
        if field is None:
            loose.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
    return loose


def safe_next(target: str | None, *, within: str = "/") -> str | None:
    """`target` if it is a path on this site under `within`, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target if parts.path.startswith(within) else None


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute address to print or hand over: PUBLIC_BASE_URL when set, else this host.

    Behind a proxy the request's host may be internal (or forged), hence the setting.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return str(base).rstrip("/") + url_for(endpoint, **values)
