"""A stop's sign-off: the delegate writes the summary and signs; HQ reopens with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from feedback_app.auth.guards import current_scope, hq_required, staff_required
from feedback_app.extensions import db
from feedback_app.review import bp
from feedback_app.review.forms import ReopenForm, SignOffForm
from feedback_app.services import signoff
from feedback_app.services.errors import ValidationFailed
from feedback_app.web.forms import attach_errors

STOP = f"<int(max={2**31 - 1}):stop_id>"


def _attach(form: FlaskForm, failure: ValidationFailed) -> None:
    for message in attach_errors(form, failure):
        flash(message, "error")


def _page(
    stop_id: int,
    *,
    sign_form: SignOffForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    stop, record = signoff.get_signoff(db.session, current_scope(), stop_id)
    if sign_form is None:
        sign_form = SignOffForm(formdata=None, data={"summary": record.summary if record else ""})
    return render_template(
        "review/signoff.html",
        stop=stop,
        record=record,
        sign_form=sign_form,
        reopen_form=reopen_form or ReopenForm(formdata=None),
    ), status


@bp.get(f"/stops/{STOP}/signoff")
@staff_required
def stop_signoff(stop_id: int) -> ResponseReturnValue:
    return _page(stop_id)


@bp.post(f"/stops/{STOP}/signoff")
@staff_required
def stop_signoff_post(stop_id: int) -> ResponseReturnValue:
    signoff.get_signoff(db.session, current_scope(), stop_id)  # 404 first, outside the scope
    form = SignOffForm()
    if form.validate():
        try:
            signoff.sign_off(
                db.session,
                current_scope(),
                stop_id,
                form.summary.data or "",
                actor_id=current_user.id,
            )
        except ValidationFailed as failure:
            _attach(form, failure)
        else:
            flash(_("Étape signée : ses contributions sont désormais en lecture seule."), "ok")
            return redirect(url_for("review.stop_signoff", stop_id=stop_id))
    return _page(stop_id, sign_form=form, status=422)


@bp.post(f"/stops/{STOP}/reopen")
@hq_required
def stop_reopen(stop_id: int) -> ResponseReturnValue:
    signoff.get_signoff(db.session, current_scope(), stop_id)
    form = ReopenForm()
    if form.validate():
        try:
            signoff.reopen(
                db.session,
                current_scope(),
                stop_id,
                form.reason.data or "",
                actor_id=current_user.id,
            )
        except ValidationFailed as failure:
            _attach(form, failure)
        else:
            flash(
                _("Étape rouverte : le délégué peut de nouveau modifier ses contributions."), "ok"
            )
            return redirect(url_for("review.stop_signoff", stop_id=stop_id))
    return _page(stop_id, reopen_form=form, status=422)
