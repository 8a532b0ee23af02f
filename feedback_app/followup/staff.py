"""Recording commitments (delegates: their regions; HQ: everything, national ones included)."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from feedback_app.extensions import db
from feedback_app.followup import bp
from feedback_app.followup.access import current_scope, read_commitments, record_commitments
from feedback_app.followup.forms import (
    STATUS_LABELS,
    BulkConfirmForm,
    BulkUploadForm,
    CommitmentForm,
    MilestoneDoneForm,
    MilestoneForm,
    StatusForm,
    numbers,
)
from feedback_app.i18n import current_language
from feedback_app.models import Commitment
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.followup.bulk import VALID, BulkRow
from feedback_app.services.followup.bulk import apply as bulk_apply
from feedback_app.services.followup.bulk import preview as bulk_preview
from feedback_app.services.followup.commitments import (
    CommitmentInput,
    add_milestone,
    change_status,
    create_commitment,
    get_commitment,
    list_commitments,
    may_change,
    national_commitments,
    remove_milestone,
    set_milestone_done,
    update_commitment,
    update_milestone,
)
from feedback_app.services.followup.links import linked_groups, linked_items
from feedback_app.services.followup.public import commitment_views
from feedback_app.services.intake.refusal import FileRefused
from feedback_app.services.permissions import Permission
from feedback_app.services.tour import reference
from feedback_app.taskqueue import TaskQueueUnavailable
from feedback_app.web.forms import ActionForm, failures_flashed, failures_on

log = logging.getLogger(__name__)


def _choices(form: CommitmentForm, own_id: int | None = None) -> None:
    scope = current_scope()
    language = current_language()
    form.regions.choices = [
        (r.slug, r.name_for(language)) for r in reference.regions(db.session) if scope.allows(r.id)
    ]
    form.parent_id.choices = [("", "—")] + [
        (str(c.id), c.title_for(language))
        for c in national_commitments(db.session)
        if c.id != own_id
    ]


def _input(form: CommitmentForm) -> CommitmentInput:
    groups, groups_ok = numbers(form.group_ids.data)
    items, items_ok = numbers(form.item_ids.data)
    errors: dict[str, list[object]] = {}
    if not groups_ok:
        errors["group_ids"] = [_("Des numéros séparés par des virgules.")]
    if not items_ok:
        errors["item_ids"] = [_("Des numéros séparés par des virgules.")]
    if errors:
        raise ValidationFailed(errors)
    parent = form.parent_id.data or ""
    return CommitmentInput(
        title_fr=form.title_fr.data or "",
        title_ar=form.title_ar.data or "",
        title_en=form.title_en.data or "",
        description_fr=form.description_fr.data or "",
        description_ar=form.description_ar.data or "",
        description_en=form.description_en.data or "",
        owner=form.owner.data or "",
        region_slugs=list(form.regions.data or []),
        parent_id=int(parent) if parent.isdigit() and len(parent) < 10 else None,
        group_ids=groups,
        item_ids=items,
    )


@bp.get("/hq/commitments")
@read_commitments
def commitments() -> ResponseReturnValue:
    scope = current_scope()
    rows = list_commitments(db.session, scope)
    views = commitment_views(db.session, rows, current_language())
    return render_template(
        "followup/staff_list.html",
        rows=list(zip(rows, views, strict=True)),
        status_labels={k.value: v for k, v in STATUS_LABELS.items()},
    )


@bp.route("/hq/commitments/new", methods=["GET", "POST"])
@record_commitments
def commitment_new() -> ResponseReturnValue:
    form = CommitmentForm()
    _choices(form)
    if request.method == "POST" and form.validate():
        with failures_on(form):
            created = create_commitment(
                db.session, current_scope(), _input(form), actor_id=current_user.id
            )
            flash(_("Engagement enregistré."), "ok")
            return redirect(url_for("followup.commitment", commitment_id=created.id))
    failed = request.method == "POST"
    return render_template("followup/staff_form.html", form=form, commitment=None), (
        422 if failed else 200
    )


def _status_form() -> StatusForm:
    status_form = StatusForm(prefix="status")
    status_form.status.choices = [(k.value, str(v)) for k, v in STATUS_LABELS.items()]
    return status_form


def _page(
    commitment: Commitment,
    form: CommitmentForm,
    status: int = 200,
    *,
    status_form: StatusForm | None = None,
    milestone_form: MilestoneForm | None = None,
    edited: MilestoneForm | None = None,
    edited_id: int | None = None,
) -> ResponseReturnValue:
    """The commitment's page: its texts and links, status, milestones and history. `edited`:
    the milestone form that was refused (kept as typed, with its errors, shown open)."""
    if status_form is None:
        status_form = _status_form()
        status_form.status.data = commitment.status.value
        status_form.progress.data = commitment.progress
    view = commitment_views(db.session, [commitment], current_language())[0]
    return render_template(
        "followup/staff_form.html",
        form=form,
        commitment=commitment,
        view=view,
        status_form=status_form,
        milestone_form=milestone_form or MilestoneForm(prefix="milestone"),
        edit_forms={
            m.id: edited
            if edited is not None and m.id == edited_id
            else MilestoneForm(formdata=None, obj=m, prefix=f"milestone-{m.id}")
            for m in commitment.milestones
        },
        edited_id=edited_id,
        done_form=MilestoneDoneForm(),
        action_form=ActionForm(),
        status_labels={k.value: v for k, v in STATUS_LABELS.items()},
        editable=may_change(current_scope(), commitment),
    ), status


def _edit_form(commitment: Commitment) -> CommitmentForm:
    groups = linked_groups(db.session, [commitment.id])[commitment.id]
    items = linked_items(db.session, [commitment.id])[commitment.id]
    form = CommitmentForm(
        formdata=None,
        obj=commitment,
        regions=[r.slug for r in commitment.regions],
        parent_id=str(commitment.parent_id or ""),
        group_ids=", ".join(map(str, groups)),
        item_ids=", ".join(map(str, items)),
    )
    _choices(form, commitment.id)
    return form


@bp.route("/hq/commitments/<int:commitment_id>", methods=["GET", "POST"])
@read_commitments
def commitment(commitment_id: int) -> ResponseReturnValue:
    found = get_commitment(db.session, current_scope(), commitment_id)
    if request.method == "GET":
        return _page(found, _edit_form(found))
    current_scope().ensure(Permission.COMMITMENTS_RECORD)  # before the form: a reader gets 403
    form = CommitmentForm()
    _choices(form, found.id)
    if form.validate():
        with failures_on(form):
            update_commitment(
                db.session, current_scope(), commitment_id, _input(form), actor_id=current_user.id
            )
            flash(_("Engagement mis à jour."), "ok")
            return redirect(url_for("followup.commitment", commitment_id=commitment_id))
    return _page(found, form, 422)


@bp.post("/hq/commitments/<int:commitment_id>/status")
@record_commitments
def commitment_status(commitment_id: int) -> ResponseReturnValue:
    found = get_commitment(db.session, current_scope(), commitment_id)
    status_form = _status_form()
    if status_form.validate():
        with failures_on(status_form):
            change = change_status(
                db.session,
                current_scope(),
                commitment_id,
                status=status_form.status.data or "",
                progress=status_form.progress.data,
                reason=status_form.reason.data or "",
                actor_id=current_user.id,
            )
            _send_notices(change.id)
            flash(_("Statut enregistré, avec son motif public."), "ok")
            return redirect(url_for("followup.commitment", commitment_id=commitment_id))
    return _page(found, _edit_form(found), 422, status_form=status_form)


def _send_notices(change_id: int) -> None:
    from feedback_app.tasks.followup import send_notices

    try:
        send_notices.send(change_id=change_id)
    except TaskQueueUnavailable:
        log.warning("notices of change %s not queued: task queue unavailable", change_id)
        flash(
            _(
                "Les courriels de suivi n'ont pas pu être programmés : lancez "
                "« commitments notify » plus tard."
            ),
            "error",
        )


@bp.post("/hq/commitments/<int:commitment_id>/milestones")
@record_commitments
def commitment_milestone(commitment_id: int) -> ResponseReturnValue:
    found = get_commitment(db.session, current_scope(), commitment_id)
    milestone_form = MilestoneForm(prefix="milestone")
    if milestone_form.validate():
        with failures_on(milestone_form):
            add_milestone(
                db.session,
                current_scope(),
                commitment_id,
                due=milestone_form.due.data,
                label_fr=milestone_form.label_fr.data or "",
                label_ar=milestone_form.label_ar.data or "",
                label_en=milestone_form.label_en.data or "",
                actor_id=current_user.id,
            )
            flash(_("Jalon ajouté."), "ok")
            return redirect(url_for("followup.commitment", commitment_id=commitment_id))
    return _page(found, _edit_form(found), 422, milestone_form=milestone_form)


@bp.post("/hq/commitments/<int:commitment_id>/milestones/<int:milestone_id>")
@record_commitments
def commitment_milestone_done(commitment_id: int, milestone_id: int) -> ResponseReturnValue:
    form = MilestoneDoneForm()
    if form.validate():
        set_milestone_done(
            db.session,
            current_scope(),
            commitment_id,
            milestone_id,
            done=bool(form.done.data),
            actor_id=current_user.id,
        )
    return redirect(url_for("followup.commitment", commitment_id=commitment_id))


@bp.post("/hq/commitments/<int:commitment_id>/milestones/<int:milestone_id>/edit")
@record_commitments
def commitment_milestone_edit(commitment_id: int, milestone_id: int) -> ResponseReturnValue:
    found = get_commitment(db.session, current_scope(), commitment_id)
    form = MilestoneForm(prefix=f"milestone-{milestone_id}")
    if form.validate():
        with failures_on(form):
            update_milestone(
                db.session,
                current_scope(),
                commitment_id,
                milestone_id,
                due=form.due.data,
                label_fr=form.label_fr.data or "",
                label_ar=form.label_ar.data or "",
                label_en=form.label_en.data or "",
                actor_id=current_user.id,
            )
            flash(_("Jalon modifié."), "ok")
            return redirect(url_for("followup.commitment", commitment_id=commitment_id))
    return _page(found, _edit_form(found), 422, edited=form, edited_id=milestone_id)


@bp.post("/hq/commitments/<int:commitment_id>/milestones/<int:milestone_id>/remove")
@record_commitments
def commitment_milestone_remove(commitment_id: int, milestone_id: int) -> ResponseReturnValue:
    if ActionForm().validate():
        remove_milestone(
            db.session, current_scope(), commitment_id, milestone_id, actor_id=current_user.id
        )
        flash(_("Jalon supprimé."), "ok")
    return redirect(url_for("followup.commitment", commitment_id=commitment_id))


_BULK_SALT = "commitments-import"


def _bulk_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=_BULK_SALT)


@bp.route("/hq/commitments/import", methods=["GET", "POST"])
@record_commitments
def commitments_import() -> ResponseReturnValue:
    """Upload, then preview: nothing is stored before "Confirmer" (the valid rows ride along,
    signed, so any host can confirm; the services check them again then)."""
    form = BulkUploadForm()
    rows: list[BulkRow] | None = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            upload = form.file.data
            try:
                rows = bulk_preview(
                    db.session,
                    current_scope(),
                    upload.read(),
                    upload.filename or "",
                    language=current_language(),
                )
            except FileRefused as refused:
                form.file.errors = [str(refused.message)]
            else:
                status = 200
    valid = [r for r in rows or [] if r.state == VALID]
    confirm = BulkConfirmForm(formdata=None)
    confirm.rows.data = _bulk_serializer().dumps(
        [[r.line, r.commitment_id, r.status, r.progress, r.reason] for r in valid]
    )
    return render_template(
        "followup/staff_import.html",
        form=form,
        rows=rows,
        valid=len(valid),
        confirm=confirm,
        status_labels={k.value: v for k, v in STATUS_LABELS.items()},
    ), status


@bp.post("/hq/commitments/import/confirm")
@record_commitments
def commitments_import_confirm() -> ResponseReturnValue:
    form = BulkConfirmForm()
    try:
        raw = _bulk_serializer().loads(form.rows.data or "") if form.validate() else []
    except BadSignature:
        raw = []
    rows = [
        BulkRow(
            line=line, state=VALID, commitment_id=cid, title="", status=st, progress=pr, reason=re
        )
        for line, cid, st, pr, re in raw
    ]
    with failures_flashed():
        changes = bulk_apply(db.session, current_scope(), rows, actor_id=current_user.id)
        for change_id in changes:
            _send_notices(change_id)
        flash(_("%(num)d changement(s) de statut enregistré(s).", num=len(changes)), "ok")
    return redirect(url_for("followup.commitments"))
