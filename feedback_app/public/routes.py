"""Public routes: they parse, call a service and respond."""

from __future__ import annotations

import logging
import uuid

from flask import abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import Field

from feedback_app.extensions import csrf, db
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_HINT_LABELS, KIND_LABELS, KIND_PLURAL_LABELS
from feedback_app.models import SubmissionSource, TourStop
from feedback_app.public import bp
from feedback_app.public.forms import StopCodeForm, SubmissionForm
from feedback_app.services.capture.submissions import find_receipt_for_stop, submit
from feedback_app.services.capture.validation import CONSENT_MISSING, EMAIL_INVALID, PHONE_INVALID
from feedback_app.services.codes import receipt_reference
from feedback_app.services.errors import NotFound, StopNotOpen, ValidationFailed
from feedback_app.services.followup.public import region_has_commitments
from feedback_app.services.tour import reference
from feedback_app.services.tour.stops import get_stop_by_code, open_stops_by_region
from feedback_app.web.forms import attach_errors
from feedback_app.web.provenance import form_source

log = logging.getLogger(__name__)

# Fields whose service errors are shown next to a top-level form field.
_TOP_FIELDS = ("organisation", "category", "job_title", "consent_contact", "name", "email", "phone")


@bp.get("/")
def index() -> ResponseReturnValue:
    form = StopCodeForm(request.args)
    if form.code.data:
        try:
            stop = get_stop_by_code(db.session, form.code.data)
        except NotFound:
            form.code.errors = [_("Aucune étape ne porte ce code. Vérifiez-le sur l'affiche.")]
        else:
            return redirect(url_for("public.stop_form", code=stop.code))
    return render_template("public/index.html", form=form, groups=open_stops_by_region(db.session))


@bp.route("/f/<code>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token so that a stale one re-renders, never a bare 400
def stop_form(code: str) -> ResponseReturnValue:
    stop = get_stop_by_code(db.session, code)
    if request.method == "GET" and not stop.is_open:
        return render_template("public/unavailable.html", stop=stop)

    language = current_language()
    form = SubmissionForm()
    _add_requested_entry(form)
    _remove_requested_entry(form)
    set_choices(form, language)
    form_error = None
    if request.method == "GET":
        form.client_id.data = str(uuid.uuid4())
        _same_person_again(form, stop.code)
    elif form.website.data:
        return _honeypot_receipt(stop)
    elif "add" in request.form or "remove" in request.form:
        pass  # no JavaScript: an entry's button posted back for one box more or less
    elif not form.validate():
        form_error = _(
            "Votre page est restée ouverte longtemps : rien n'est perdu, "
            "vérifiez puis envoyez de nouveau."
        )
    else:
        payload, subforms = form.as_payload(language)
        # The commit expires the stop: reading it again would cost a query.
        stop_code, source = stop.code, form_source(stop.region_id)
        try:
            receipt = submit(
                db.session,
                stop_code,
                payload,
                source=source,
                default_language=language,
                refuse_unconsented_contact=True,
            )
        except StopNotOpen:
            form_error = _(
                "Cette étape n'accepte plus de contributions. Votre texte est conservé "
                "ci-dessous si vous souhaitez le copier."
            )
        except ValidationFailed as failure:
            form_error = _attach_errors(form, subforms, failure)
        else:
            if source is not SubmissionSource.TABLET:
                # "Envoyer une autre contribution" (receipt page, no JavaScript): the same
                # person's next one keeps the organisation and the category.
                session[AGAIN] = {
                    "stop": stop_code,
                    "organisation": payload["organisation"],
                    "category": payload["category"],
                }
            return redirect(url_for("public.receipt", code=stop_code, reference=receipt.reference))
    if not form.client_id.data:
        form.client_id.data = str(uuid.uuid4())
    status = 422 if form_error else 200
    return render_template(
        "public/form.html",
        stop=stop,
        form=form,
        form_error=form_error,
        tablet=form_source(stop.region_id) is SubmissionSource.TABLET,
        kind_plurals=KIND_PLURAL_LABELS,
        kind_labels=KIND_LABELS,
        kind_hints=KIND_HINT_LABELS,
        added=request.form.get("add"),
        # The service's own messages, for the same checks made on the device (offline.js).
        consent_missing=CONSENT_MISSING,
        email_invalid=EMAIL_INVALID,
        phone_invalid=PHONE_INVALID,
    ), status


@bp.get("/f/<code>/receipt/<reference>")
def receipt(code: str, reference: str) -> ResponseReturnValue:
    stop = get_stop_by_code(db.session, code)
    found = find_receipt_for_stop(db.session, stop, reference)
    if found is None:
        abort(404)
    return _receipt_page(stop, found)


def _receipt_page(stop: TourStop, reference: str) -> str:
    """The thank-you page; once the region has commitments, the reference's follow-up link."""
    followup = region_has_commitments(db.session, stop.region_id)
    return render_template("public/receipt.html", stop=stop, reference=reference, followup=followup)


AGAIN = "again"  # the session key of the last contribution's organisation and category


def _same_person_again(form: SubmissionForm, code: str) -> None:
    """Coming back from the receipt page's "another contribution": organisation and category as
    they were sent from this browser for this stop."""
    last = session.get(AGAIN)
    if request.args.get("again") and isinstance(last, dict) and last.get("stop") == code:
        form.organisation.data = last.get("organisation") or ""
        form.category.data = last.get("category") or ""


def _honeypot_receipt(stop: TourStop) -> str:
    """A bot filled the hidden field: it sees a success like any other, and nothing is stored."""
    log.info("honeypot filled: submission discarded")
    return _receipt_page(stop, receipt_reference(stop.region.code))


def _add_requested_entry(form: SubmissionForm) -> None:
    kind = request.form.get("add")
    for item_kind, entries in form.entry_lists():
        if item_kind.value == kind and len(entries) < entries.max_entries:
            entries.append_entry()


def _remove_requested_entry(form: SubmissionForm) -> None:
    """No JavaScript: an entry's "remove" button names it (e.g. "need-2"); the others are
    renumbered so that the next post reads them in order."""
    kind, _sep, index = request.form.get("remove", "").rpartition("-")
    for item_kind, entries in form.entry_lists():
        if item_kind.value == kind and index.isdigit() and int(index) < len(entries):
            kept = [entry.data for i, entry in enumerate(entries) if i != int(index)]
            entries.entries, entries.last_index = [], -1
            for data in kept or [None]:
                entries.append_entry(data)


def set_choices(form: SubmissionForm, language: str) -> None:
    """Categories, themes and priorities in the reader's language (the tablet page too)."""
    form.set_choices(
        reference.categories(db.session, language),
        reference.active_themes(db.session, language),
        reference.priorities(),
    )


def _attach_errors(form: SubmissionForm, subforms: list, failure: ValidationFailed) -> str:
    def field_for(path: str) -> Field | None:
        head, _sep, rest = path.partition(".")
        index, _sep, sub = rest.partition(".")
        if head in _TOP_FIELDS:
            return form[head]
        if head == "items" and index.isdigit() and int(index) < len(subforms):
            return subforms[int(index)][sub or "text"]
        return None

    attach_errors(form, failure, field_for)
    errors = failure.as_text()
    form.items_errors = errors.get("items", [])
    if "client_id" in errors:  # a reused id: the corrected form is a new submission
        form.client_id.data = str(uuid.uuid4())
    return _("Certaines réponses sont à corriger : voyez les messages ci-dessous.")
