"""The public follow-up pages: no sign-in, the reader's language, printable, cached publicly.

Nothing here depends on who asks (no session, no CSRF token, no account menu), so a shared
cache may keep a page for everyone reading in the same language (`Vary: Accept-Language,
Cookie` is added by the i18n layer).
"""

from __future__ import annotations

import threading

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from werkzeug.wrappers import Response

from feedback_app.extensions import csrf, db
from feedback_app.followup import bp
from feedback_app.followup.forms import STATUS_LABELS
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_PLURALS, word
from feedback_app.services.errors import NotFound
from feedback_app.services.followup.notices import unsubscribe
from feedback_app.services.followup.public import (
    RegionFollowup,
    reference_followup,
    region_followup,
)

PUBLIC_MAX_AGE = 300
UNSUBSCRIBE_SALT = "followup-unsubscribe"


def _public(response: Response, max_age: int = PUBLIC_MAX_AGE) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def _status_labels() -> dict[str, str]:
    return {k.value: str(v) for k, v in STATUS_LABELS.items()}


def _kind_labels() -> dict[str, str]:
    return {code: word(words, current_language()) for code, words in KIND_PLURALS.items()}


_BODIES: dict[tuple[object, ...], Markup] = {}
_BODIES_LOCK = threading.Lock()


def _region_body(followup: RegionFollowup) -> Markup:
    """The page's content, rendered once per change and language (its version says both) and
    kept in memory: it holds nothing about the request (the header's language links, which
    repeat the query string, are rendered around it every time)."""
    with _BODIES_LOCK:
        found = _BODIES.get(followup.version)
    if found is None:
        found = Markup(
            render_template(
                "followup/_region_body.html",
                followup=followup,
                status_labels=_status_labels(),
                kind_labels=_kind_labels(),
            )
        )
        with _BODIES_LOCK:
            if len(_BODIES) > 200:  # stale versions: drop them all rather than grow
                _BODIES.clear()
            _BODIES[followup.version] = found
    return found


@bp.get("/suivi/<region_slug>")
def region(region_slug: str) -> ResponseReturnValue:
    followup = region_followup(db.session, region_slug, current_language())
    page = render_template("followup/region.html", followup=followup, body=_region_body(followup))
    return _public(Response(page, mimetype="text/html"))


@bp.get("/suivi/ref/<reference>")
def by_reference(reference: str) -> ResponseReturnValue:
    """Rate-limited per address (web/ratelimits.py); anything not found answers alike."""
    followup = reference_followup(db.session, reference, current_language())
    page = render_template(
        "followup/reference.html",
        followup=followup,
        status_labels=_status_labels(),
        kind_labels=_kind_labels(),
    )
    response = Response(page, mimetype="text/html")
    # A reference is as good as a password to this page: no shared cache keeps it.
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def unsubscribe_token(person: str) -> str:
    return URLSafeSerializer(current_app.secret_key or "", salt=UNSUBSCRIBE_SALT).dumps(person)


@bp.route("/suivi/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt  # one click from a mail client (RFC 8058): the signed token is the authority
def unsubscribe_page(token: str) -> ResponseReturnValue:
    try:
        person = URLSafeSerializer(current_app.secret_key or "", salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature as error:
        raise NotFound(token) from error
    if request.method == "POST":
        unsubscribe(db.session, str(person))
        return render_template("followup/unsubscribed.html", done=True)
    return render_template("followup/unsubscribed.html", done=False, token=token, title=_("Suivi"))


@bp.get("/suivi/ref")
def reference_lookup() -> ResponseReturnValue:
    """The region page's "follow your idea" box: to the reference's own address."""
    typed = "".join((request.args.get("reference") or "").split()).upper()[:40]
    if not typed:
        raise NotFound("")
    return redirect(url_for("followup.by_reference", reference=typed))
