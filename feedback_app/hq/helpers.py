"""Small helpers shared by HQ views."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_wtf import FlaskForm

from feedback_app.services.errors import ValidationFailed


def attach_errors(form: FlaskForm, failure: ValidationFailed) -> list[str]:
    """Put each service error next to its field; the ones without a field are returned."""
    loose: list[str] = []
    for name, messages in failure.as_text().items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, *messages]
        else:
            loose.extend(messages)
    return loose


def external_url(endpoint: str, **values: object) -> str:
    """An absolute address to print or hand over: PUBLIC_BASE_URL when set, else this host.

    Behind a proxy the request's host may be internal (or forged), hence the setting.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + url_for(endpoint, **values)
