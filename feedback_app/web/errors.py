"""Friendly error pages in the reader's language, and JSON under /api/."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from feedback_app.services.errors import (
    ClientIdTaken,
    NotFound,
    NotPermitted,
    SignedOff,
    StopNotOpen,
    ValidationFailed,
)
from feedback_app.web.requestlog import request_id

log = logging.getLogger(__name__)

# Headers of the exception worth keeping on the page that replaces it (405's Allow, ...).
_KEPT_HEADERS = frozenset({"allow", "retry-after", "www-authenticate"})


def _titles() -> dict[int, str]:
    return {
        400: _("Requête invalide"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Méthode non autorisée"),
        409: _("Conflit"),
        413: _("Envoi trop volumineux"),
        415: _("Format non pris en charge"),
        429: _("Trop de tentatives"),
        500: _("Erreur du serveur"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("La demande n'a pas pu être comprise. Revenez en arrière et réessayez."),
        403: _("Vous n'avez pas accès à cette page."),
        404: _("Cette adresse ne correspond à aucune page. Vérifiez le lien ou le code."),
        409: _signed_off_explanation(),
        413: _(
            "Le contenu envoyé dépasse la taille autorisée. Raccourcissez vos textes puis renvoyez."
        ),
        429: _("Trop de demandes en peu de temps. Patientez une minute puis réessayez."),
        500: _(
            "Un problème est survenu de notre côté. Votre saisie n'a pas été perdue : "
            "revenez en arrière et renvoyez."
        ),
    }


def http_message(exc: HTTPException) -> str:
    """What to tell an API client: our own description, else the translated title.

    Werkzeug's default descriptions are English whatever the reader's language.
    """
    own = exc.description if exc.description != type(exc).description else None
    return own or _titles().get(exc.code or 500, _("Erreur"))


def client_id_taken_message() -> str:
    return _(
        "Cet envoi porte l'identifiant d'une contribution déjà enregistrée pour une autre "
        "étape. Rechargez le formulaire puis envoyez de nouveau."
    )


def _signed_off_explanation() -> str:
    return _(
        "Cette étape a été signée par son délégué : ses contributions ne peuvent plus être "
        "modifiées. Le siège peut la rouvrir."
    )


def _same_site_referrer() -> str | None:
    """The page the refused form was posted from, if it is one of ours."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _csrf_explanation() -> str:
    return _(
        "Le formulaire a expiré ou a été ouvert dans un autre onglet. Rechargez la page, "
        "puis recommencez l'opération."
    )


def _respond(
    status: int,
    description: str | None = None,
    *,
    message: str | None = None,
    exc: HTTPException | None = None,
    extra: dict[str, object] | None = None,
) -> Response:
    title = _titles().get(status, _("Erreur"))
    if _api():
        response = jsonify({"error": description or title, **(extra or {})})
        response.status_code = status
    else:
        message = message or _explanations().get(status, description or title)
        # A 500 shows the request id, so that support can find the matching log line.
        body = render_template(
            "errors.html",
            status=status,
            title=title,
            message=message,
            request_id=request_id() if status >= 500 else None,
        )
        response = current_app.make_response((body, status))
    if exc is not None:
        for name, value in exc.get_headers():
            if name.lower() in _KEPT_HEADERS:
                response.headers[name] = value
    return response


def _api() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        if exc.code is None:
            return exc
        api = _api()
        if isinstance(exc, CSRFError):
            # A staff form left open too long or posted from another tab: say what to do.
            return _respond(400, _csrf_explanation(), message=_csrf_explanation(), exc=exc)
        if isinstance(exc, RateLimitExceeded):
            # The limit's own message (translated in ratelimits.py), not the "N per M" rule.
            text = exc.description if exc.description and " per " not in exc.description else None
            return _respond(429, text, message=text, exc=exc)
        return _respond(exc.code, http_message(exc) if api else None, exc=exc)

    # Domain errors become HTTP answers here, once: routes let them rise.
    @app.errorhandler(NotFound)
    def _not_found(_exc: NotFound) -> Response:
        # Services say "not found" for a record outside the reader's scope too: one answer for
        # both. The API's only records are stops.
        return _respond(404, _("Étape introuvable.") if _api() else None)

    @app.errorhandler(NotPermitted)
    def _not_permitted(_exc: NotPermitted) -> Response:
        # The role lacks the permission (an observer posting a change): the plain 403 page.
        return _respond(403)

    @app.errorhandler(StopNotOpen)
    def _not_open(exc: StopNotOpen) -> Response:
        message = _("Cette étape n'accepte pas de contributions.")
        return _respond(409, message, message=message, extra={"status": exc.status})

    @app.errorhandler(ValidationFailed)
    def _invalid(exc: ValidationFailed) -> Response:
        if _api():
            return _respond(422, _("Données invalides."), extra={"errors": exc.as_text()})
        return _respond(400, message=" ".join(exc.messages()))

    @app.errorhandler(ClientIdTaken)
    def _client_id_taken(_exc: ClientIdTaken) -> Response:
        # Only a tampered or buggy client reuses an identifier at another stop.
        return _respond(409, client_id_taken_message(), message=client_id_taken_message())

    @app.errorhandler(SignedOff)
    def _signed_off(_exc: SignedOff) -> ResponseReturnValue:
        # Any review action refused by the sign-off rule, whichever view called the service:
        # back to the page the form came from with the reason, or a page saying it.
        back = _same_site_referrer()
        if back is not None and request.method == "POST" and not request.path.startswith("/api/"):
            flash(_signed_off_explanation(), "error")
            return redirect(back, code=303)
        return _respond(409)

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError) -> Response:
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.path,
            exc_info=exc.original_exception or exc,
        )
        return _respond(500)
