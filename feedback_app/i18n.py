"""Language choice: ?lang=, then the `lang` cookie, then Accept-Language, then French."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale

RTL_LANGUAGES = frozenset({"ar"})


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def text_direction() -> str:
    return "rtl" if current_language() in RTL_LANGUAGES else "ltr"
