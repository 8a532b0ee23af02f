"""Recurring ideas: the groups a staff member may see, and the decisions they take on them.

A delegate sees and curates the items of their regions only (services/ideas/curation.py);
a group with none of them answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_LABELS, ROLE_LABELS
from feedback_app.review import bp
from feedback_app.review.forms import MergeForm, RenameForm, SplitForm
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas.history import group_history
from feedback_app.services.ideas.neighbours import nearest_groups
from feedback_app.services.ideas.queries import (
    MEMBERS_PER_PAGE,
    MemberCursor,
    group_detail,
    group_summary,
    top_groups_by_kind,
)
from feedback_app.services.ids import parse_id
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stop_admin import list_stops
from feedback_app.services.tour.stop_lock import locked_items
from feedback_app.tasks.grouping import groups_as_they_are
from feedback_app.web.forms import ActionForm, failures_on

GROUP = "<int(max=2147483647):group_id>"
PER_KIND = 30
LAST_PAGE = "last"  # ?page=last: a group's last page of members

T = TypeVar("T")


@bp.get("/ideas")
@staff_required
def ideas() -> ResponseReturnValue:
    stale = groups_as_they_are()
    scope = current_scope()
    by_kind = top_groups_by_kind(db.session, scope, PER_KIND, language=current_language())
    shown = [g.id for groups in by_kind.values() for g in groups]
    return render_template(
        "review/ideas.html",
        by_kind=by_kind,
        # Which groups a curation would refuse (a stop signed off), and each stop's state.
        locked=idea_curation.locked_groups(db.session, scope, shown),
        stops=list_stops(db.session, scope),
        kind_labels={k.value: str(v) for k, v in KIND_LABELS.items()},
        stale=stale,
    )


def _render(
    group_id: int,
    *,
    rename: RenameForm | None = None,
    split: SplitForm | None = None,
    merge: MergeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    # Which page of the members: the links' keyset cursors; anything malformed is page 1.
    detail = group_detail(
        db.session,
        current_scope(),
        group_id,
        language=current_language(),
        after=MemberCursor.decode(request.args.get("after")),
        before=MemberCursor.decode(request.args.get("before")),
        number=parse_id(request.args.get("page")) or 1,
        last=request.args.get("page") == LAST_PAGE,
        per_page=MEMBERS_PER_PAGE,
    )
    if rename is None:
        rename = RenameForm(formdata=None, data={"title": detail.summary.title})
    # The group's summary is read once: the neighbours and the history need not check it again.
    neighbours = nearest_groups(db.session, current_scope(), group_id, summary=detail.summary)
    return render_template(
        "review/idea_group.html",
        detail=detail,
        group=detail.summary,
        rename=rename,
        split=split or SplitForm(formdata=None),
        merge=merge or MergeForm(formdata=None),
        # Items of stops signed off: a delegate cannot split them out (ensure_items_editable),
        # and every decision on the group is refused (curation.locked_groups): disabled here.
        # Asked of the shown page's members only.
        signed_items=locked_items(db.session, current_scope(), [m.item_id for m in detail.members]),
        # The page shown, kept by the split form: refused, it shows the same page again.
        paging={
            key: request.args[key] for key in ("after", "before", "page") if key in request.args
        },
        last_page=LAST_PAGE,
        locked=group_id in idea_curation.locked_groups(db.session, current_scope(), [group_id]),
        confirm=ActionForm(formdata=None),
        kind_labels={k.value: str(v) for k, v in KIND_LABELS.items()},
        # The groups closest in meaning (both languages), each with a one-click merge into
        # this one through the merge route above; and the decisions taken on the group.
        neighbours=neighbours,
        # A merge with a neighbour drawing on a signed stop would be refused: disabled here.
        locked_neighbours=idea_curation.locked_groups(
            db.session, current_scope(), [n.summary.id for n in neighbours or ()]
        ),
        history=group_history(db.session, current_scope(), group_id, summary=detail.summary),
        role_labels=ROLE_LABELS,
    ), status


@bp.get(f"/ideas/{GROUP}")
@staff_required
def idea_group(group_id: int) -> ResponseReturnValue:
    return _render(group_id)


def _done(group_id: int, message: str) -> ResponseReturnValue:
    flash(message, "ok")
    return redirect(url_for("review.idea_group", group_id=group_id))


def _decided(
    group_id: int, form: FlaskForm, field: str, decide: Callable[..., T], data: object
) -> tuple[bool, T | None]:
    """Whether the curation of the form's data went through, and what it answered.

    When it did not, its messages are all next to the page's one field `field`.
    """
    group_summary(db.session, current_scope(), group_id)  # 404 before anything else
    if form.validate():
        with failures_on(form, lambda _path: form[field]):
            return True, decide(
                db.session, current_scope(), group_id, data, actor_id=current_user.id
            )
    return False, None


@bp.post(f"/ideas/{GROUP}/rename")
@permission_required(Permission.IDEAS_CURATE)
def idea_rename(group_id: int) -> ResponseReturnValue:
    form = RenameForm()
    ok, _none = _decided(group_id, form, "title", idea_curation.rename_group, form.title.data or "")
    if not ok:
        return _render(group_id, rename=form, status=422)
    return _done(group_id, _("Titre enregistré."))


@bp.post(f"/ideas/{GROUP}/confirm")
@permission_required(Permission.IDEAS_CURATE)
def idea_confirm(group_id: int) -> ResponseReturnValue:
    group_summary(db.session, current_scope(), group_id)
    if not ActionForm().validate():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(url_for("review.idea_group", group_id=group_id))
    idea_curation.confirm_group(db.session, current_scope(), group_id, actor_id=current_user.id)
    return _done(group_id, _("Groupe confirmé : il sera gardé tel quel."))


@bp.post(f"/ideas/{GROUP}/split")
@permission_required(Permission.IDEAS_CURATE)
def idea_split(group_id: int) -> ResponseReturnValue:
    form = SplitForm()
    ok, new_id = _decided(group_id, form, "items", idea_curation.split_group, form.items.data or [])
    if not ok:
        return _render(group_id, split=form, status=422)
    if new_id is None:
        return _done(group_id, _("L'entrée est maintenant seule."))
    return _done(new_id, _("Les entrées choisies forment un nouveau groupe."))


def _merge(
    session: Session, scope: Scope, group_id: int, other: int, *, actor_id: int | None
) -> int:
    try:
        return idea_curation.merge_groups(session, scope, group_id, [other], actor_id=actor_id)
    except NotFound:
        raise ValidationFailed({"other": [_("Numéro de groupe inconnu.")]}) from None


@bp.post(f"/ideas/{GROUP}/merge")
@permission_required(Permission.IDEAS_CURATE)
def idea_merge(group_id: int) -> ResponseReturnValue:
    form = MergeForm()
    ok, _moved = _decided(group_id, form, "other", _merge, form.other.data or 0)
    if not ok:
        return _render(group_id, merge=form, status=422)
    return _done(group_id, _("Groupes fusionnés."))


def review_list_for_group(group_id: int) -> str:
    """The review list filtered on one group (the dashboard links here)."""
    return url_for("review.index", group=group_id)
