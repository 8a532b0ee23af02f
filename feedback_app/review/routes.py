"""Review desk views: they parse, call a review service with the user's scope, and respond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from babel.dates import format_datetime as babel_datetime
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.models import ItemKind, ReviewStatus
from feedback_app.review import bp
from feedback_app.review.forms import NO_THEME, STATUS_LABELS, BulkForm, FilterForm
from feedback_app.services import reference, review_actions
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.idea_group_queries import group_summary
from feedback_app.services.review_queries import (
    Cursor,
    ReviewFilters,
    list_submissions,
    new_counts,
    scope_regions,
    scope_stops,
    themes,
)


def _local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the application's time zone (Morocco), as a UTC time."""
    zone = get_timezone()
    naive = dt.datetime.combine(day, dt.time.min)
    local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
    return local.astimezone(dt.UTC)


def _datetime_formatter() -> Callable[[dt.datetime], str]:
    """Short local date and time, through Babel directly: Flask-Babel's format_datetime looks
    the locale and time zone up again on every call, a sixth of the page's time for 50 rows."""
    zone, locale = get_timezone(), get_locale()

    def when(value: dt.datetime) -> str:
        if value.tzinfo is None:  # SQLite returns naive UTC times
            value = value.replace(tzinfo=dt.UTC)
        return babel_datetime(value, "short", tzinfo=zone, locale=locale)

    return when


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


def _set_filter_choices(form: FilterForm, scope_lists: dict) -> None:
    language = current_language()
    categories = scope_lists["categories"]
    form.region.choices = [("", _("Toutes")), *(
        (str(r.id), r.name_for(language)) for r in scope_lists["regions"])]
    form.stop.choices = [("", _("Toutes")), *(
        (str(s.id), f"{s.city} — {s.date.isoformat()}") for s in scope_lists["stops"])]
    form.status.choices = [("", _("Tous")),
                           *((s.value, str(label)) for s, label in STATUS_LABELS.items())]
    form.category.choices = [("", _("Toutes")), *(
        (c.code, c.label) for c in categories)]
    form.kind.choices = [("", _("Tous")), *((c.code, c.label) for c in reference.kinds())]
    form.theme.choices = [("", _("Tous")), (NO_THEME, _("Sans thème")), *(
        (str(t.id), _theme_label(t, language)) for t in scope_lists["themes"])]


def _theme_label(theme, language: str) -> str:  # type: ignore[no-untyped-def]
    name = theme.name_for(language)
    return _("%(name)s (retiré)", name=name) if theme.retired else name


def _filters(form: FilterForm) -> ReviewFilters:
    """The valid filters of the form; a field with an error is left out."""
    def ok(field):  # type: ignore[no-untyped-def]
        return field.data if not field.errors else None

    theme = ok(form.theme)
    shortlisted = ok(form.shortlisted)
    date_from, date_to = ok(form.date_from), ok(form.date_to)
    return ReviewFilters(
        region_id=_number(ok(form.region)),
        stop_id=_number(ok(form.stop)),
        status=ReviewStatus(ok(form.status)) if ok(form.status) else None,
        category=ok(form.category) or None,
        kind=ItemKind(ok(form.kind)) if ok(form.kind) else None,
        theme_id=_number(theme),
        unthemed=theme == NO_THEME,
        shortlisted={"1": True, "0": False}.get(shortlisted or ""),
        created_from=_local_midnight(date_from) if date_from else None,
        created_before=_local_midnight(date_to + dt.timedelta(days=1)) if date_to else None,
        query=(ok(form.q) or "").strip(),
    )


@bp.get("/")
@staff_required
def index():  # type: ignore[no-untyped-def]
    scope = current_scope()
    lists = {"regions": scope_regions(db.session, scope),
             "stops": scope_stops(db.session, scope), "themes": themes(db.session),
             "categories": reference.categories(db.session, current_language())}
    form = FilterForm(request.args)
    _set_filter_choices(form, lists)
    form.validate()
    filters = replace(_filters(form), group_id=_number(request.args.get("group")))
    group = (group_summary(db.session, scope, filters.group_id)
             if filters.group_id is not None else None)
    page = list_submissions(
        db.session, scope, filters,
        after=Cursor.decode(request.args.get("after")),
        before=Cursor.decode(request.args.get("before")),
    )
    kept = {k: v for k, v in request.args.items() if k not in ("after", "before") and v}
    bulk = BulkForm(formdata=None)
    bulk.theme.choices = [(str(t.id), t.name_for(current_language()))
                          for t in lists["themes"] if not t.retired]
    bulk.next.data = request.full_path
    language = current_language()
    return render_template(
        "review/index.html", form=form, page=page, bulk=bulk,
        counts=new_counts(db.session, scope, lists["regions"]), kept=kept,
        many_regions=len(lists["regions"]) > 1,
        region_names={r.id: r.name_for(language) for r in lists["regions"]},
        stops={s.id: s for s in lists["stops"]},
        theme_names={t.id: t.name_for(language) for t in lists["themes"]},
        category_names={c.code: c.label for c in lists["categories"]},
        kind_labels={k: str(v) for k, v in reference.KIND_LABELS.items()},
        status_labels={k: str(v) for k, v in STATUS_LABELS.items()}, when=_datetime_formatter(),
        searching=bool(filters.query), filtered=bool(kept), group=group,
    )


def _safe_next(value: str | None) -> str:
    """Back to the list page the selection came from, never to another site."""
    home = url_for("review.index")
    if value:
        parts = urlsplit(value)
        if not parts.scheme and not parts.netloc and parts.path.startswith(home):
            return value
    return home


@bp.post("/bulk")
@staff_required
def bulk():  # type: ignore[no-untyped-def]
    scope = current_scope()
    form = BulkForm()
    form.theme.choices = [(str(t.id), t.code) for t in themes(db.session) if not t.retired]
    target = _safe_next(form.next.data)
    if form.action.data != "theme":
        form.theme.validators = []
        form.theme.validate_choice = False
    if not form.validate():
        flash(_("Cette action n'a pas pu être appliquée : vérifiez la sélection."), "error")
        return redirect(target)
    try:
        if form.action.data == "theme":
            count = review_actions.bulk_set_theme(
                db.session, scope, submission_ids=form.submission_ids.data or [],
                item_ids=form.item_ids.data or [], theme_id=int(form.theme.data),
                actor_id=current_user.id)
            flash(ngettext("Thème appliqué à %(num)d entrée.",
                           "Thème appliqué à %(num)d entrées.", count), "ok")
        else:
            count = review_actions.bulk_set_status(
                db.session, scope, form.submission_ids.data or [], form.action.data,
                actor_id=current_user.id)
            label = STATUS_LABELS[ReviewStatus(form.action.data)]
            flash(ngettext("%(num)d contribution marquée « %(status)s ».",
                           "%(num)d contributions marquées « %(status)s ».", count,
                           status=label), "ok")
    except NotFound:
        abort(404)
    except ValidationFailed as failure:
        for message in failure.messages():
            flash(message, "error")
    return redirect(target)
