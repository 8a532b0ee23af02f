"""The offline layer's server side: the service worker script and the delegate's tablet page.

The service worker lives at /sw.js (root, so it may control /f/) and carries the asset version:
a new release changes its bytes, the browser installs it, and it replaces the cached assets.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from flask import current_app, render_template, url_for
from flask.typing import ResponseReturnValue

from feedback_app.auth.guards import permission_required
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_HINT_LABELS, KIND_LABELS, KIND_PLURAL_LABELS
from feedback_app.public import bp
from feedback_app.public.forms import SubmissionForm
from feedback_app.public.routes import set_choices
from feedback_app.services.errors import NotFound
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stops import get_stop_by_code
from feedback_app.web.assets import asset_version
from feedback_app.web.provenance import staff_of

# What a stop's form needs offline besides its own page; the worker caches these on install.
OFFLINE_ASSETS = ("css/app.css", "js/outbox.js", "js/form.js", "js/offline.js")
SW_SCOPE = "/f/"


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    source = Path(current_app.static_folder or "", "js", "sw.js").read_text(encoding="utf-8")
    assets = [url_for("static", filename=name) for name in OFFLINE_ASSETS]
    head = f"var VERSION = {json.dumps(asset_version())};\nvar ASSETS = {json.dumps(assets)};\n"
    response = current_app.response_class(head + source, mimetype="text/javascript")
    # Browsers look for a new worker on each visit; never let a proxy keep an old one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/f/<code>/tablet")
@permission_required(Permission.INTAKE_IMPORT)
def tablet(code: str) -> ResponseReturnValue:
    """The same form for a delegate typing paper forms in a row; posts go through the queue.

    Staff who type paper forms only (web/provenance.py): a delegate of the stop's region or HQ;
    another region's delegate gets 404, as for any record outside their regions; an observer 403.
    """
    stop = get_stop_by_code(db.session, code)
    if not staff_of(stop.region_id):
        raise NotFound(code)
    if not stop.is_open:
        return render_template("public/unavailable.html", stop=stop)
    language = current_language()
    form = SubmissionForm()
    set_choices(form, language)
    form.client_id.data = str(uuid.uuid4())
    return render_template(
        "public/form.html",
        stop=stop,
        form=form,
        form_error=None,
        tablet=True,
        kind_plurals=KIND_PLURAL_LABELS,
        kind_labels=KIND_LABELS,
        kind_hints=KIND_HINT_LABELS,
    )
