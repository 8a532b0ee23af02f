"""One submission: read everything, set its status, correct its items, keep private notes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.models import FeedbackItem, ReviewStatus
from feedback_app.review import bp
from feedback_app.review.forms import STATUS_LABELS, ItemForm, NoteForm, StatusForm
from feedback_app.services import reference, review_actions
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.review_detail import SubmissionDetail, get_submission
from feedback_app.services.review_queries import themes
from feedback_app.services.signoff import is_signed

# Ids beyond 32 bits cannot exist: the converter answers 404 before any query is made.
SUBMISSION = f"<int(max={review_actions.MAX_ID}):submission_id>"
ITEM = f"<int(max={review_actions.MAX_ID}):item_id>"


def _load(submission_id: int) -> SubmissionDetail:
    try:
        return get_submission(db.session, current_scope(), submission_id)
    except NotFound:
        abort(404)


def _item_form(item: FeedbackItem, all_themes: list, formdata: object = None) -> ItemForm:
    language = current_language()
    # No prefix: each item posts to its own address; the template gives unique element ids.
    form = ItemForm(formdata=formdata,
                    data={"kind": item.kind.value,
                          "theme": str(item.theme_id) if item.theme_id else "",
                          "shortlisted": item.shortlisted})
    form.kind.choices = [(c.code, c.label) for c in reference.kinds()]
    # A retired theme is offered only to the item that already has it, so it can stay.
    form.theme.choices = [("", _("Sans thème")), *(
        (str(t.id), t.name_for(language) + (_(" (retiré)") if t.retired else ""))
        for t in all_themes if not t.retired or t.id == item.theme_id)]
    return form


def render_detail(detail: SubmissionDetail, *, item_form: ItemForm | None = None,
                  item_id: int | None = None, note_form: NoteForm | None = None,
                  status: int = 200):  # type: ignore[no-untyped-def]
    all_themes = themes(db.session)
    forms = {item.id: _item_form(item, all_themes) for item in detail.items}
    if item_form is not None and item_id is not None:
        forms[item_id] = item_form
    return render_template(
        "review/submission.html", detail=detail, s=detail.submission, item_forms=forms,
        status_form=StatusForm(formdata=None), note_form=note_form or NoteForm(formdata=None),
        status_labels=STATUS_LABELS, kind_labels=reference.KIND_LABELS,
        priority_labels=reference.PRIORITY_LABELS,
        locked=is_signed(db.session, detail.submission.stop_id),
    ), status


@bp.get(f"/submissions/{SUBMISSION}")
@staff_required
def submission(submission_id: int):  # type: ignore[no-untyped-def]
    return render_detail(_load(submission_id))


@bp.post(f"/submissions/{SUBMISSION}/status")
@staff_required
def submission_status(submission_id: int):  # type: ignore[no-untyped-def]
    detail = _load(submission_id)  # 404 before anything else is said about the record
    form = StatusForm()
    if not form.validate():
        flash(_("Statut inconnu."), "error")
        return redirect(url_for("review.submission", submission_id=submission_id))
    try:
        changed = review_actions.set_status(db.session, current_scope(), detail.submission.id,
                                            form.status.data, actor_id=current_user.id)
    except NotFound:
        abort(404)
    label = STATUS_LABELS[ReviewStatus(form.status.data)]
    if changed:
        flash(_("Contribution marquée « %(status)s ».", status=label), "ok")
    else:
        flash(_("La contribution était déjà « %(status)s ».", status=label), "ok")
    return redirect(url_for("review.submission", submission_id=submission_id))


@bp.post(f"/submissions/{SUBMISSION}/items/{ITEM}")
@staff_required
def item_update(submission_id: int, item_id: int):  # type: ignore[no-untyped-def]
    detail = _load(submission_id)
    item = next((i for i in detail.items if i.id == item_id), None)
    if item is None:
        abort(404)
    form = _item_form(item, themes(db.session), formdata=request.form)
    if form.validate():
        theme = form.theme.data
        try:
            changed = review_actions.update_item(
                db.session, current_scope(), submission_id, item_id, kind=form.kind.data,
                theme_id=int(theme) if theme else None, shortlisted=bool(form.shortlisted.data),
                actor_id=current_user.id)
        except NotFound:
            abort(404)
        except ValidationFailed as failure:
            _attach(form, failure)
        else:
            flash(_("Entrée enregistrée.") if changed else _("Aucun changement."), "ok")
            return redirect(url_for("review.submission", submission_id=submission_id,
                                    _anchor=f"item-{item_id}"))
    return render_detail(_load(submission_id), item_form=form, item_id=item_id, status=422)


@bp.post(f"/submissions/{SUBMISSION}/notes")
@staff_required
def note_create(submission_id: int):  # type: ignore[no-untyped-def]
    _load(submission_id)
    form = NoteForm()
    if form.validate():
        try:
            review_actions.add_note(db.session, current_scope(), submission_id,
                                    form.text.data or "", actor_id=current_user.id)
        except NotFound:
            abort(404)
        except ValidationFailed as failure:
            _attach(form, failure)
        else:
            flash(_("Note ajoutée."), "ok")
            return redirect(url_for("review.submission", submission_id=submission_id,
                                    _anchor="notes"))
    return render_detail(_load(submission_id), note_form=form, status=422)


def _attach(form, failure: ValidationFailed) -> None:  # type: ignore[no-untyped-def]
    for name, messages in failure.as_text().items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, *messages]
        else:
            for message in messages:
                flash(message, "error")
