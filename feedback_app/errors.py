"""Friendly error pages in the reader's language, and JSON under /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("Requête invalide"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Méthode non autorisée"),
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
        413: _("Le contenu envoyé dépasse la taille autorisée."),
        429: _("Trop de demandes en peu de temps. Patientez une minute puis réessayez."),
        500: _("Un problème est survenu de notre côté. Votre saisie n'a pas été perdue : "
               "revenez en arrière et renvoyez."),
    }


def _respond(status: int, description: str | None = None):  # type: ignore[no-untyped-def]
    title = _titles().get(status, _("Erreur"))
    if request.path.startswith("/api/"):
        return jsonify({"error": description or title}), status
    message = _explanations().get(status, description or title)
    return render_template("errors.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code is None:
            return exc
        return _respond(exc.code, exc.description if request.path.startswith("/api/") else None)

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError):  # type: ignore[no-untyped-def]
        log.error("unhandled error on %s %s", request.method, request.path,
                  exc_info=exc.original_exception)
        return _respond(500)
