"""One submission: read everything, then save its status, items and a new note in one go.

The page is one form: whatever was changed on it is saved together or refused together with
the reasons next to the fields, so an edit is never silently lost. The list's filters ride
along in the query string, for previous/next within the same list and the way back to it.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_LABELS, PRIORITY_LABELS, SOURCE_LABELS, STATUS_LABELS
from feedback_app.models import FeedbackItem, Theme
from feedback_app.review import bp
from feedback_app.review.filtering import read_filters, theme_label
from feedback_app.review.forms import ItemReviewForm, ReviewForm
from feedback_app.services.permissions import Permission
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import items as review_items
from feedback_app.services.review.detail import SubmissionDetail, get_submission
from feedback_app.services.review.queries import neighbours, themes
from feedback_app.services.tour import reference
from feedback_app.services.tour.stop_lock import is_signed, locked_for
from feedback_app.web.forms import FieldFinder, failures_on

# Ids beyond 32 bits cannot exist: the converter answers 404 before any query is made.
SUBMISSION = f"<int(max={review_actions.MAX_ID}):submission_id>"


def _review_form(detail: SubmissionDetail, formdata: object = None) -> ReviewForm:
    items = detail.items
    form = ReviewForm(
        formdata=formdata,
        data={
            "status": detail.submission.status.value,
            "items": [
                {
                    "id": str(i.id),
                    "kind": i.kind.value,
                    "theme": str(i.theme_id) if i.theme_id else "",
                    "priority": i.priority.value if i.priority else "",
                    "shortlisted": i.shortlisted,
                }
                for i in items
            ],
        },
    )
    by_id = {str(item.id): item for item in items}
    all_themes = themes(db.session)
    for entry in form.items:
        _set_item_choices(entry.form, by_id.get(entry.form.id.data or ""), all_themes)
    return form


def _set_item_choices(
    form: ItemReviewForm, item: FeedbackItem | None, all_themes: list[Theme]
) -> None:
    language = current_language()
    form.kind.choices = [(c.code, c.label) for c in reference.kinds()]
    form.priority.choices = [
        ("", _("Non précisée")),
        *((c.code, c.label) for c in reference.priorities()),
    ]
    # A retired theme is offered only to the item that already has it, so it can stay.
    keeping = item.theme_id if item else None
    form.theme.choices = [
        ("", _("Sans thème")),
        *(
            (str(t.id), theme_label(t, language))
            for t in all_themes
            if not t.retired or t.id == keeping
        ),
    ]


def _render(detail: SubmissionDetail, form: ReviewForm, status: int = 200) -> ResponseReturnValue:
    scope, s = current_scope(), detail.submission
    state = read_filters(scope)
    around = neighbours(db.session, scope, state.filters, s.created_at, s.id)
    entries = {entry.form.id.data: entry.form for entry in form.items}
    return render_template(
        "review/submission.html",
        detail=detail,
        s=s,
        form=form,
        kept=state.kept,
        item_forms={item.id: entries.get(str(item.id)) for item in detail.items},
        around=around,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        source_labels=SOURCE_LABELS,
        priority_labels=PRIORITY_LABELS,
        locked=is_signed(db.session, detail.submission.stop_id),
        read_only=locked_for(db.session, current_scope(), detail.submission.stop_id),
    ), status


@bp.get(f"/submissions/{SUBMISSION}")
@staff_required
def submission(submission_id: int) -> ResponseReturnValue:
    detail = get_submission(db.session, current_scope(), submission_id)
    return _render(detail, _review_form(detail))


@bp.post(f"/submissions/{SUBMISSION}")
@permission_required(Permission.REVIEW_WRITE)
def submission_save(submission_id: int) -> ResponseReturnValue:
    scope = current_scope()
    detail = get_submission(db.session, scope, submission_id)  # 404 before anything else
    form = _review_form(detail, formdata=request.form)
    if form.validate():
        edits = {
            int(entry.form.id.data): review_items.ItemReview(
                kind=entry.form.kind.data,
                theme_id=int(entry.form.theme.data or 0) or None,
                shortlisted=bool(entry.form.shortlisted.data),
                priority=entry.form.priority.data or None,
            )
            for entry in form.items
            if (entry.form.id.data or "").isdigit()
        }
        with failures_on(form, _field_finder(form)):
            changed = review_actions.save_review(
                db.session,
                scope,
                submission_id,
                status=form.status.data or "",
                items=edits,
                note=form.note.data or "",
                actor_id=current_user.id,
            )
            flash(_("Modifications enregistrées.") if changed else _("Aucun changement."), "ok")
            back: dict[str, Any] = {**read_filters(scope).kept, "submission_id": submission_id}
            return redirect(url_for("review.submission", **back))
    return _render(get_submission(db.session, scope, submission_id), form, status=422)


def _field_finder(form: ReviewForm) -> FieldFinder:
    entries = {entry.form.id.data: entry.form for entry in form.items}

    def field_for(path: str) -> Field | None:
        head, _sep, rest = path.partition(".")  # "status", or "items.<item id>.<field>"
        item_id, _sep, name = rest.partition(".")
        target = entries.get(item_id) if head == "items" else form
        return target._fields.get(name or head) if target is not None else None

    return field_for
