"""Friendly error pages in the reader's language, and JSON under /api/."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from feedback_app.extensions import db
from feedback_app.i18n import format_datetime
from feedback_app.services.errors import (
    BadToken,
    ClientIdTaken,
    Gone,
    NoSpace,
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
# While the database is unreachable: when to ask again. Restarting PostgreSQL takes seconds;
# the offline outbox backs off on its own anyway.
DATABASE_RETRY_AFTER_S = 30


def _titles() -> dict[int, str]:
    return {
        400: _("Requête invalide"),
        401: _("Authentification requise"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Méthode non autorisée"),
        409: _("Conflit"),
        410: _("Lien plus valable"),
        413: _("Envoi trop volumineux"),
        415: _("Format non pris en charge"),
        429: _("Trop de tentatives"),
        500: _("Erreur du serveur"),
        503: _("Service momentanément indisponible"),
        507: _("Espace disque insuffisant"),
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


def _database_explanation() -> str:
    if request.method == "POST":
        return _(
            "Le service est momentanément indisponible : rien n'a été enregistré, et rien de "
            "ce que vous avez saisi n'est perdu. Renvoyez dans une minute."
        )
    return _("Le service est momentanément indisponible. Réessayez dans une minute.")


def no_space_message() -> str:
    return _(
        "Le serveur manque d'espace disque pour préparer ce classeur. L'équipe technique "
        "doit libérer de la place ; réessayez ensuite."
    )


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
    resend: list[tuple[str, str]] | None = None,
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
            resend=resend,
        )
        response = current_app.make_response((body, status))
    if exc is not None:
        for name, value in exc.get_headers():
            if name.lower() in _KEPT_HEADERS:
                response.headers[name] = value
    return response


def _api() -> bool:
    return request.path.startswith("/api/")


# Forms whose refused post comes back on the 503 page, to be sent again: the public form,
# where a respondent's words must survive an outage without relying on the back button. Never
# a staff form: sign-in and password forms would echo secrets into the page.
_RESEND_ENDPOINTS = frozenset({"public.stop_form"})


def _posted_fields() -> list[tuple[str, str]] | None:
    """What a refused public form post carried, to be shown and sent again."""
    if request.method != "POST" or request.endpoint not in _RESEND_ENDPOINTS or request.files:
        return None
    try:
        fields = [(name, value) for name, value in request.form.items(multi=True)]
    except HTTPException:
        return None
    return fields or None


def _database_unreachable(exc: Exception) -> bool:
    """Connection lost or refused, pool exhausted: the database is away, not the request wrong.

    OperationalError covers refused and dropped connections (and SQLite's "unable to open");
    InterfaceError a connection already closed; any other DBAPI error counts when SQLAlchemy
    found the connection dead (`connection_invalidated`)."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


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

    @app.errorhandler(BadToken)
    def _bad_token(_exc: BadToken) -> Response:
        # RFC 6750: say the scheme; name the error only when a token was sent.
        given = request.headers.get("Authorization", "").lower().startswith("bearer ")
        challenge = 'Bearer realm="tournee"' + (', error="invalid_token"' if given else "")
        message = _(
            "Jeton d'accès absent, invalide, expiré ou révoqué. Créez-en un sur la page "
            "« Mon compte »."
        )
        response = _respond(401, message, message=message)
        response.headers["WWW-Authenticate"] = challenge
        return response

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

    @app.errorhandler(Gone)
    def _gone(exc: Gone) -> Response:
        # A share link revoked or past its date: said in words, with when.
        when = format_datetime(exc.at, "short") if isinstance(exc.at, dt.datetime) else ""
        if exc.reason == "revoked":
            message = _(
                "Ce lien de partage a été révoqué le %(when)s par la personne qui l'a créé. "
                "Demandez-lui un nouveau lien si vous devez encore consulter ce bilan.",
                when=when,
            )
        else:
            message = _(
                "Ce lien de partage a expiré le %(when)s. Demandez un nouveau lien à la "
                "personne qui vous l'a envoyé.",
                when=when,
            )
        return _respond(410, message, message=message)

    @app.errorhandler(NoSpace)
    def _no_space(_exc: NoSpace) -> Response:
        log.error("no space left for a build on %s %s", request.method, request.path)
        return _respond(507, no_space_message(), message=no_space_message())

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def _database_error(exc: Exception) -> Response:
        if not _database_unreachable(exc):
            raise exc  # a bug, not an outage: the 500 path below logs it with its traceback
        # One line, no parameters (hide_parameters): never what a respondent typed.
        log.error(
            "database unreachable on %s %s: %s",
            request.method,
            request.path,
            type(exc).__name__,
        )
        _rollback_quietly()
        response = _respond(503, _database_explanation(), resend=_posted_fields())
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError) -> Response:
        log.error(
            "unhandled error on %s %s",
            request.method,
            request.path,
            exc_info=exc.original_exception or exc,
        )
        return _respond(500)


def _rollback_quietly() -> None:
    """The request's session holds a dead connection: let it go without a second error."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it on the next checkout
        log.debug("rollback after a lost database connection failed", exc_info=True)
