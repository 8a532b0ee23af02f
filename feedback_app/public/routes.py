"""Public routes: they parse, call a service and respond."""

from __future__ import annotations

import logging
import uuid

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from feedback_app.extensions import csrf, db
from feedback_app.i18n import current_language
from feedback_app.models import SubmissionSource
from feedback_app.public import bp
from feedback_app.public.forms import StopCodeForm, SubmissionForm
from feedback_app.services import reference
from feedback_app.services.codes import receipt_reference
from feedback_app.services.errors import NotFound, StopNotOpen, ValidationFailed
from feedback_app.services.stops import get_stop_by_code, open_stops_by_region
from feedback_app.services.submissions import find_receipt_for_stop, submit

log = logging.getLogger(__name__)

# Fields whose service errors are shown next to a top-level form field.
_TOP_FIELDS = ("organisation", "category", "job_title", "consent_contact", "name", "email", "phone")


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    form = StopCodeForm(request.args)
    if form.code.data:
        try:
            stop = get_stop_by_code(db.session, form.code.data)
        except NotFound:
            form.code.errors = [_("Aucune étape ne porte ce code. Vérifiez-le sur l'affiche.")]
        else:
            return redirect(url_for("public.stop_form", code=stop.code))
    return render_template(
        "public/index.html", form=form, groups=open_stops_by_region(db.session)
    )


@bp.route("/f/<code>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token so that a stale one re-renders, never a bare 400
def stop_form(code: str):  # type: ignore[no-untyped-def]
    try:
        stop = get_stop_by_code(db.session, code)
    except NotFound:
        abort(404)
    if request.method == "GET" and not stop.is_open:
        return render_template("public/unavailable.html", stop=stop)

    language = current_language()
    form = SubmissionForm()
    _add_requested_entry(form)
    set_choices(form, language)
    form_error = None
    if request.method == "GET":
        form.client_id.data = str(uuid.uuid4())
    elif form.website.data:
        return _honeypot_receipt(stop)
    elif "add" in request.form:
        pass  # no JavaScript: the "add another" button posted back for one more box
    elif not form.validate():
        form_error = _(
            "Votre page est restée ouverte longtemps : rien n'est perdu, "
            "vérifiez puis envoyez de nouveau."
        )
    else:
        payload, subforms = form.as_payload(language)
        try:
            receipt = submit(
                db.session, stop.code, payload, source=_source(),
                default_language=language,
            )
        except StopNotOpen:
            form_error = _(
                "Cette étape n'accepte plus de contributions. Votre texte est conservé "
                "ci-dessous si vous souhaitez le copier."
            )
        except ValidationFailed as failure:
            form_error = _attach_errors(form, subforms, failure)
        else:
            return redirect(url_for("public.receipt", code=stop.code, reference=receipt.reference))
    if not form.client_id.data:
        form.client_id.data = str(uuid.uuid4())
    status = 422 if form_error else 200
    return render_template(
        "public/form.html", stop=stop, form=form, form_error=form_error,
        tablet=_source() is SubmissionSource.TABLET,
        kind_labels=reference.KIND_PLURALS, kind_hints=reference.KIND_HINTS,
    ), status


@bp.get("/f/<code>/receipt/<reference>")
def receipt(code: str, reference: str):  # type: ignore[no-untyped-def]
    try:
        stop = get_stop_by_code(db.session, code)
    except NotFound:
        abort(404)
    found = find_receipt_for_stop(db.session, stop, reference)
    if found is None:
        abort(404)
    return render_template("public/receipt.html", stop=stop, reference=found)


def _honeypot_receipt(stop):  # type: ignore[no-untyped-def]
    """A bot filled the hidden field: it sees a success like any other, and nothing is stored."""
    log.info("honeypot filled: submission discarded")
    fake = receipt_reference(stop.region.code)
    return render_template("public/receipt.html", stop=stop, reference=fake)


def _add_requested_entry(form: SubmissionForm) -> None:
    kind = request.form.get("add")
    for item_kind, entries in form.entry_lists():
        if item_kind.value == kind and len(entries) < entries.max_entries:
            entries.append_entry()


def set_choices(form: SubmissionForm, language: str) -> None:
    """Categories, themes and priorities in the reader's language (the tablet page too)."""
    form.set_choices(
        reference.categories(db.session, language),
        reference.active_themes(db.session, language),
        reference.priorities(),
    )


def _attach_errors(form: SubmissionForm, subforms: list, failure: ValidationFailed) -> str:
    for path, messages in failure.as_text().items():
        head, _sep, rest = path.partition(".")
        if head in _TOP_FIELDS:
            form[head].errors = [*form[head].errors, *messages]
        elif head == "items" and rest:
            index, _sep, sub = rest.partition(".")
            if index.isdigit() and int(index) < len(subforms):
                field = subforms[int(index)][sub or "text"]
                field.errors = [*field.errors, *messages]
        elif head == "items":
            form.items_errors = messages
        elif head == "client_id":
            form.client_id.data = str(uuid.uuid4())
    return _("Certaines réponses sont à corriger : voyez les messages ci-dessous.")


def _source() -> SubmissionSource:
    """The tablet page posts here with ?channel=tablet: staff typing paper forms."""
    return SubmissionSource.TABLET if request.args.get("channel") == "tablet" else (
        SubmissionSource.FORM)
