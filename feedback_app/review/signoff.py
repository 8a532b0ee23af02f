"""A stop's sign-off: the delegate writes the summary and signs; HQ reopens with a reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.extensions import db
from feedback_app.review import bp
from feedback_app.review.forms import ReopenForm, SignOffForm
from feedback_app.services.permissions import Permission
from feedback_app.services.review import signoff
from feedback_app.web.forms import failures_on

STOP = f"<int(max={2**31 - 1}):stop_id>"


def _page(
    stop_id: int,
    *,
    sign_form: SignOffForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    stop, record = signoff.get_signoff(db.session, current_scope(), stop_id)
    before = signoff.before_signing(db.session, stop)
    if sign_form is None:
        sign_form = SignOffForm(formdata=None, data={"summary": record.summary if record else ""})
    return render_template(
        "review/signoff.html",
        stop=stop,
        record=record,
        sign_form=sign_form,
        before=before,
        reopen_form=reopen_form or ReopenForm(formdata=None),
    ), status


@bp.get(f"/stops/{STOP}/signoff")
@staff_required
def stop_signoff(stop_id: int) -> ResponseReturnValue:
    return _page(stop_id)


def _decide(
    stop_id: int,
    form: FlaskForm,
    decide: Callable[..., object],
    text: str | None,
    done: str,
    **forms: FlaskForm,
) -> ResponseReturnValue:
    """Sign or reopen: back to the page with `done`, or the page again with the errors (422)."""
    signoff.get_signoff(db.session, current_scope(), stop_id)  # 404 first, outside the scope
    if form.validate():
        with failures_on(form):
            decide(db.session, current_scope(), stop_id, text or "", actor_id=current_user.id)
            flash(done, "ok")
            return redirect(url_for("review.stop_signoff", stop_id=stop_id))
    return _page(stop_id, status=422, **forms)


@bp.post(f"/stops/{STOP}/signoff")
@permission_required(Permission.SIGNOFF_SIGN)
def stop_signoff_post(stop_id: int) -> ResponseReturnValue:
    form = SignOffForm()
    done = _("Étape signée : ses contributions sont désormais en lecture seule.")
    stop, _record = signoff.get_signoff(db.session, current_scope(), stop_id)
    if signoff.before_signing(db.session, stop).needs_confirmation and not form.confirm.data:
        form.validate()
        form.confirm.errors = [_("Cochez la confirmation pour signer quand même.")]
        return _page(stop_id, sign_form=form, status=422)
    return _decide(stop_id, form, signoff.sign_off, form.summary.data, done, sign_form=form)


@bp.post(f"/stops/{STOP}/reopen")
@permission_required(Permission.SIGNOFF_REOPEN)
def stop_reopen(stop_id: int) -> ResponseReturnValue:
    form = ReopenForm()
    done = _("Étape rouverte : le délégué peut de nouveau modifier ses contributions.")
    return _decide(stop_id, form, signoff.reopen, form.reason.data, done, reopen_form=form)
