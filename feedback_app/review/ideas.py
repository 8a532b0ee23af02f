"""Recurring ideas: the groups a staff member may see, and the decisions they take on them.

A delegate sees and curates the items of their regions only (services/idea_curation.py);
a group with none of them answers 404 like a missing one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.models import ItemKind
from feedback_app.review import bp
from feedback_app.review.forms import MergeForm, RenameForm, SplitForm
from feedback_app.services import idea_curation, reference
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.idea_group_queries import group_detail, top_groups
from feedback_app.services.idea_groups import regroup_if_stale
from feedback_app.web.forms import ActionForm, attach_errors

GROUP = "<int(max=2147483647):group_id>"
PER_KIND = 30


@bp.get("/ideas")
@staff_required
def ideas() -> ResponseReturnValue:
    regroup_if_stale(db.session)
    scope = current_scope()
    by_kind = {kind.value: top_groups(db.session, scope, kind, PER_KIND) for kind in ItemKind}
    return render_template(
        "review/ideas.html",
        by_kind=by_kind,
        kind_labels={k.value: str(v) for k, v in reference.KIND_LABELS.items()},
    )


def _render(
    group_id: int,
    *,
    rename: RenameForm | None = None,
    split: SplitForm | None = None,
    merge: MergeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    detail = group_detail(db.session, current_scope(), group_id)
    if rename is None:
        rename = RenameForm(formdata=None, data={"title": detail.summary.title})
    return render_template(
        "review/idea_group.html",
        detail=detail,
        group=detail.summary,
        rename=rename,
        split=split or SplitForm(formdata=None),
        merge=merge or MergeForm(formdata=None),
        confirm=ActionForm(formdata=None),
        kind_labels={k.value: str(v) for k, v in reference.KIND_LABELS.items()},
    ), status


@bp.get(f"/ideas/{GROUP}")
@staff_required
def idea_group(group_id: int) -> ResponseReturnValue:
    return _render(group_id)


def _attach(form: FlaskForm, failure: ValidationFailed, field: str) -> None:
    """Every message of the curation next to the page's one field."""
    attach_errors(form, failure, lambda _path: form[field])


def _done(group_id: int, message: str) -> ResponseReturnValue:
    flash(message, "ok")
    return redirect(url_for("review.idea_group", group_id=group_id))


@bp.post(f"/ideas/{GROUP}/rename")
@staff_required
def idea_rename(group_id: int) -> ResponseReturnValue:
    group_detail(db.session, current_scope(), group_id)  # 404 before anything else
    form = RenameForm()
    if form.validate():
        try:
            idea_curation.rename_group(
                db.session,
                current_scope(),
                group_id,
                form.title.data or "",
                actor_id=current_user.id,
            )
        except ValidationFailed as failure:
            _attach(form, failure, "title")
        else:
            return _done(group_id, _("Titre enregistré."))
    return _render(group_id, rename=form, status=422)


@bp.post(f"/ideas/{GROUP}/confirm")
@staff_required
def idea_confirm(group_id: int) -> ResponseReturnValue:
    group_detail(db.session, current_scope(), group_id)
    if not ActionForm().validate():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(url_for("review.idea_group", group_id=group_id))
    idea_curation.confirm_group(db.session, current_scope(), group_id, actor_id=current_user.id)
    return _done(group_id, _("Groupe confirmé : il sera gardé tel quel."))


@bp.post(f"/ideas/{GROUP}/split")
@staff_required
def idea_split(group_id: int) -> ResponseReturnValue:
    group_detail(db.session, current_scope(), group_id)
    form = SplitForm()
    if form.validate():
        try:
            new_id = idea_curation.split_group(
                db.session,
                current_scope(),
                group_id,
                form.items.data or [],
                actor_id=current_user.id,
            )
        except ValidationFailed as failure:
            _attach(form, failure, "items")
        else:
            if new_id is None:
                return _done(group_id, _("L'élément est maintenant seul."))
            return _done(new_id, _("Les éléments choisis forment un nouveau groupe."))
    return _render(group_id, split=form, status=422)


@bp.post(f"/ideas/{GROUP}/merge")
@staff_required
def idea_merge(group_id: int) -> ResponseReturnValue:
    group_detail(db.session, current_scope(), group_id)
    form = MergeForm()
    if form.validate():
        try:
            idea_curation.merge_groups(
                db.session,
                current_scope(),
                group_id,
                [form.other.data or 0],
                actor_id=current_user.id,
            )
        except NotFound:
            form.other.errors = [*form.other.errors, _("Numéro de groupe inconnu.")]
        except ValidationFailed as failure:
            _attach(form, failure, "other")
        else:
            return _done(group_id, _("Groupes fusionnés."))
    return _render(group_id, merge=form, status=422)


def review_list_for_group(group_id: int) -> str:
    """The review list filtered on one group (the dashboard links here)."""
    return url_for("review.index", group=group_id)
