"""The app's icon and web app manifest: a phone can put the forms on its home screen, and no
browser meets a 404 looking for /favicon.ico. The icons are drawn by scripts/make_icons.py."""

from __future__ import annotations

import json

from flask import current_app, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from feedback_app.i18n import current_language, text_direction
from feedback_app.public import bp

DAY = 24 * 3600
THEME_COLOUR = "#1d232b"  # the site header's ink (static/css/app.css)
BACKGROUND = "#f6f4ef"


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    # A PNG: every current browser reads one under this name.
    return send_from_directory(
        current_app.static_folder or "", "icons/icon-32.png", mimetype="image/png", max_age=7 * DAY
    )


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    def icon(name: str, size: int, purpose: str = "any") -> dict[str, str]:
        return {
            "src": url_for("static", filename=f"icons/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    body = {
        "name": _("Tournée régionale du tourisme"),
        "short_name": _("Tournée"),
        "description": _("Donnez votre avis sur le tourisme dans votre région"),
        "lang": current_language(),
        "dir": text_direction(),
        "start_url": url_for("public.index"),
        "scope": url_for("public.index"),
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND,
        "icons": [
            {
                "src": url_for("static", filename="icons/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            },
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("icon-maskable-512.png", 512, "maskable"),
        ],
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = f"public, max-age={DAY}"
    response.headers["Vary"] = "Cookie, Accept-Language"  # in the reader's language
    return response
