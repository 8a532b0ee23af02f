"""Review desk views: they parse, call a review service with the user's scope, and respond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from babel.dates import format_datetime as babel_datetime
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from feedback_app.locales import zone as local_zone
from feedback_app.models import ReviewStatus
from feedback_app.review import bp
from feedback_app.review.filtering import FilterState, read_filters
from feedback_app.review.forms import BulkForm
from feedback_app.services.access import Scope
from feedback_app.services.ideas.queries import group_summary
from feedback_app.services.permissions import Permission
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.review.queries import (
    COUNT_CAP,
    Cursor,
    count_submissions,
    list_submissions,
    new_counts,
    themes,
)
from feedback_app.services.tour.stop_lock import locked_stops
from feedback_app.web.forms import failures_flashed, safe_next


def _datetime_formatter() -> Callable[[dt.datetime], str]:
    """Short local date and time, through Babel directly: Flask-Babel's format_datetime looks
    the locale and time zone up again on every call, a sixth of the page's time for 50 rows."""
    zone, locale = local_zone(), get_locale()

    def when(value: dt.datetime) -> str:
        return babel_datetime(value, "short", tzinfo=zone, locale=locale)

    return when


@bp.get("/")
@staff_required
def index() -> ResponseReturnValue:
    scope = current_scope()
    return list_page(scope, read_filters(scope))


def list_page(scope: Scope, state: FilterState) -> str:
    """The list for filters already read: the page itself, and the answer to an export whose
    filters are wrong (the same fields, the same messages)."""
    lists, filters, kept = state.lists, state.filters, state.kept
    after = Cursor.decode(request.args.get("after"))
    before = Cursor.decode(request.args.get("before"))
    page = list_submissions(db.session, scope, filters, after=after, before=before)
    if after is None and before is None and page.older is None:
        total = len(page.rows)  # the whole list is on this page: no need to count it again
    else:
        total = count_submissions(db.session, scope, filters)
    group = (
        group_summary(db.session, scope, filters.group_id, language=current_language())
        if filters.group_id is not None
        else None
    )
    bulk = BulkForm(formdata=None)
    bulk.theme.choices = [
        (str(t.id), t.name_for(current_language())) for t in lists["themes"] if not t.retired
    ]
    bulk.next.data = request.full_path
    language = current_language()
    return render_template(
        "review/index.html",
        form=state.form,
        page=page,
        bulk=bulk,
        counts=new_counts(db.session, scope, lists["regions"]),
        kept=kept,
        total=total,
        count_cap=COUNT_CAP,
        many_regions=len(lists["regions"]) > 1,
        region_names={r.id: r.name_for(language) for r in lists["regions"]},
        stops={s.id: s for s in lists["stops"]},
        theme_names={t.id: t.name_for(language) for t in lists["themes"]},
        category_names={c.code: c.label for c in lists["categories"]},
        kind_labels={k: str(v) for k, v in KIND_LABELS.items()},
        status_labels={k: str(v) for k, v in STATUS_LABELS.items()},
        when=_datetime_formatter(),
        source_labels={k: str(v) for k, v in SOURCE_LABELS.items()},
        searching=bool(filters.query),
        filtered=bool(kept),
        may_export_contacts=scope.can(Permission.EXPORTS_CONTACTS),
        group=group,
        # Rows of stops signed off: a delegate's bulk action on them would be refused.
        signed_stops=locked_stops(db.session, scope, {row.stop_id for row in page.rows}),
    )


@bp.post("/bulk")
@permission_required(Permission.REVIEW_WRITE)
def bulk() -> ResponseReturnValue:
    scope = current_scope()
    form = BulkForm()
    form.theme.choices = [(str(t.id), t.code) for t in themes(db.session) if not t.retired]
    # Back to the list page the selection came from, never to another site.
    home = url_for("review.index")
    target = safe_next(form.next.data, within=home) or home
    if form.action.data != "theme":
        form.theme.validators = []
        form.theme.validate_choice = False
    if not form.validate():
        flash(_("Cette action n'a pas pu être appliquée : vérifiez la sélection."), "error")
        return redirect(target)
    with failures_flashed():
        if form.action.data == "theme":
            count = review_bulk.bulk_set_theme(
                db.session,
                scope,
                submission_ids=form.submission_ids.data or [],
                item_ids=form.item_ids.data or [],
                theme_id=int(form.theme.data),
                actor_id=current_user.id,
            )
            flash(
                ngettext(
                    "Thème appliqué à %(num)d entrée.", "Thème appliqué à %(num)d entrées.", count
                ),
                "ok",
            )
        else:
            count = review_bulk.bulk_set_status(
                db.session,
                scope,
                form.submission_ids.data or [],
                form.action.data,
                actor_id=current_user.id,
            )
            label = STATUS_LABELS[ReviewStatus(form.action.data)]
            flash(
                ngettext(
                    "%(num)d contribution marquée « %(status)s ».",
                    "%(num)d contributions marquées « %(status)s ».",
                    count,
                    status=label,
                ),
                "ok",
            )
    return redirect(target)
