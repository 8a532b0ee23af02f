"""Language choice: ?lang=, then the `lang` cookie, then Accept-Language, then French.

The interface languages are those of feedback_app/locales.py (config LANGUAGES), each served with
its Moroccan formatting locale. The translations are looked up by language (`ar_MA` finds the
`ar` catalog), and `current_language()` always gives the bare code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from feedback_app.locales import DEFAULT_LANGUAGE, join_list, language, local_time, zone


def requested_language() -> str:
    """The interface language of this request, as a bare code of config LANGUAGES."""
    supported = current_app.config["LANGUAGES"]
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate and candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or default


def select_locale() -> str:
    return language(requested_language()).locale


def select_timezone() -> ZoneInfo:
    """Flask-Babel's own zone would be a `pytz` one (a second tz database): ours instead."""
    return zone()


def format_datetime(value: dt.datetime, format: str = "medium") -> str:
    """A stored moment in the tour's local time (locales.zone), in the reader's locale.

    Pages, mails and the audit trail format through here, the workbook through the same zone
    (services/export/plan.py): a sign-off reads the same time everywhere.
    """
    return babel_dates.format_datetime(local_time(value), format, locale=get_locale())


def format_date(value: dt.date, format: str = "medium") -> str:
    """A calendar day; a moment is first turned into the tour's local day."""
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    return babel_dates.format_date(value, format, locale=get_locale())


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def text_direction() -> str:
    return language(current_language()).direction


def listed(items: Iterable[object]) -> str:
    """Template filter: items as the reader's language writes a list (`locales.join_list`)."""
    return join_list((str(item) for item in items), current_language())


def bdi(value: object) -> Markup:
    """User text inside a translated sentence, isolated so that Arabic in French (or the
    reverse) does not reorder the words around it: `_("Rencontre de %(city)s", city=x|bdi)`."""
    return Markup("<bdi>%s</bdi>") % value
