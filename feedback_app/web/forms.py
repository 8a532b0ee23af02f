"""The edge between forms and services: service errors next to their fields or flashed, and
addresses (safe redirects, absolute links)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
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


class failures_on:
    """`with failures_on(form):` around a service call and the answer to its success.

    When the service refuses (ValidationFailed), its messages go next to the form's fields
    (attach_errors; one with no field is flashed) and the route carries on after the block to
    show the form again, 422. Like contextlib.suppress, `__exit__` returns a plain bool: mypy
    then knows the code after the block runs even when the block ends with a return.
    """

    def __init__(self, form: FlaskForm | None, field_for: FieldFinder | None = None) -> None:
        self.form, self.field_for = form, field_for

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        if not isinstance(error, ValidationFailed):
            return False
        if self.form is None:
            messages = error.messages()
        else:
            messages = attach_errors(self.form, error, self.field_for)
        for message in messages:
            flash(message, "error")
        return True


def failures_flashed() -> failures_on:
    """`with failures_flashed():` for a button: the service's refusal is flashed, and the route
    carries on after the block to its redirect."""
    return failures_on(None)


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
