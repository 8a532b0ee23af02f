"""Language choice: ?lang=, then the `lang` cookie, then Accept-Language, then French.

The interface languages are fr, ar and en (config LANGUAGES); each is served with the locale
whose formats Morocco uses (FORMAT_LOCALES). Arabic is `ar_MA`: Western digits (CLDR's `latn`
numbering, as in Moroccan administration), 24-hour times, "1.234,5". English is `en_GB`:
day-first dates like the French and Arabic pages. The translations are looked up by language
(`ar_MA` finds the `ar` catalog), and `current_language()` always gives the bare code.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

RTL_LANGUAGES = frozenset({"ar"})
FORMAT_LOCALES = {"fr": "fr", "ar": "ar_MA", "en": "en_GB"}


def requested_language() -> str:
    """The interface language of this request, as a bare code of config LANGUAGES."""
    supported = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or default


def select_locale() -> str:
    language = requested_language()
    return FORMAT_LOCALES.get(language, language)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def text_direction() -> str:
    return "rtl" if current_language() in RTL_LANGUAGES else "ltr"


def bdi(value: object) -> Markup:
    """User text inside a translated sentence, isolated so that Arabic in French (or the
    reverse) does not reorder the words around it: `_("Rencontre de %(city)s", city=x|bdi)`."""
    return Markup("<bdi>%s</bdi>") % value
