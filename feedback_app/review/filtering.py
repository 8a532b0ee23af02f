"""The list's filters, read from the query string: the list page and, to walk through the same
list, the submission page both read them here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from wtforms import Field

from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import STATUS_LABELS
from feedback_app.locales import local_midnight_utc
from feedback_app.models import ItemKind, ReviewStatus, SubmissionSource, Theme
from feedback_app.review.forms import NO_THEME, FilterForm
from feedback_app.services.access import Scope
from feedback_app.services.ids import parse_id
from feedback_app.services.review.filters import ReviewFilters
from feedback_app.services.review.queries import scope_regions, scope_stops, themes
from feedback_app.services.tour import reference

# Query-string keys that place a page of the list rather than filter it.
PAGING_KEYS = ("after", "before", "lang")
GROUP_KEY = "group"


@dataclass(frozen=True)
class FilterState:
    form: FilterForm
    filters: ReviewFilters
    lists: dict[str, Any]  # the scope's regions, stops, themes and categories
    kept: dict[str, str]  # the filters as given, to carry in links (no paging)


def read_filters(scope: Scope) -> FilterState:
    language = current_language()
    lists = {
        "regions": scope_regions(db.session, scope),
        "stops": scope_stops(db.session, scope),
        "themes": themes(db.session),
        "categories": reference.categories(db.session, language),
    }
    form = FilterForm(request.args)
    _set_filter_choices(form, lists, language)
    form.validate()
    # Only the form's own filters travel in links: a stray key could collide with a route's.
    kept = {
        k: v
        for k, v in request.args.items()
        if (k in form._fields or k == GROUP_KEY) and k not in PAGING_KEYS and v
    }
    # An idea group is not a field of the form: the dashboard and idea pages link to it.
    filters = replace(_filters(form), group_id=parse_id(request.args.get(GROUP_KEY)))
    return FilterState(form, filters, lists, kept)


def _set_filter_choices(form: FilterForm, scope_lists: dict[str, Any], language: str) -> None:
    categories = scope_lists["categories"]
    form.region.choices = [
        ("", _("Toutes")),
        *((str(r.id), r.name_for(language)) for r in scope_lists["regions"]),
    ]
    form.stop.choices = [
        ("", _("Toutes")),
        *(
            (str(s.id), f"{s.city_for(language)} — {s.date.isoformat()}")
            for s in scope_lists["stops"]
        ),
    ]
    form.status.choices = [
        ("", _("Tous")),
        *((s.value, str(label)) for s, label in STATUS_LABELS.items()),
    ]
    form.category.choices = [("", _("Toutes")), *((c.code, c.label) for c in categories)]
    form.kind.choices = [("", _("Tous")), *((c.code, c.label) for c in reference.kinds())]
    form.theme.choices = [
        ("", _("Tous")),
        (NO_THEME, _("Sans thème")),
        *((str(t.id), theme_label(t, language)) for t in scope_lists["themes"]),
    ]


def theme_label(theme: Theme, language: str) -> str:
    name = theme.name_for(language)
    return _("%(name)s (retiré)", name=name) if theme.retired else name


def _filters(form: FilterForm) -> ReviewFilters:
    """The valid filters of the form; a field with an error is left out."""

    def ok(field: Field) -> Any:
        return field.data if not field.errors else None

    theme = ok(form.theme)
    shortlisted = ok(form.shortlisted)
    date_from, date_to = ok(form.date_from), ok(form.date_to)
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return ReviewFilters(
        region_id=parse_id(ok(form.region)),
        stop_id=parse_id(ok(form.stop)),
        status=ReviewStatus(ok(form.status)) if ok(form.status) else None,
        category=ok(form.category) or None,
        source=SubmissionSource(ok(form.source)) if ok(form.source) else None,
        kind=ItemKind(ok(form.kind)) if ok(form.kind) else None,
        theme_id=parse_id(theme),
        unthemed=theme == NO_THEME,
        shortlisted={"1": True, "0": False}.get(shortlisted or ""),
        created_from=local_midnight_utc(date_from, tz) if date_from else None,
        created_before=local_midnight_utc(date_to + dt.timedelta(days=1), tz) if date_to else None,
        query=(ok(form.q) or "").strip(),
    )
