"""Request input refused once for every route, before any handler sees it.

A NUL character in the path or the query string is never legitimate, and PostgreSQL refuses it
in any text it is compared with ("A string literal cannot contain NUL"), which would turn a
lookup into a 500. Such requests answer 400 here, whatever route they aim at.
"""

from __future__ import annotations

from flask import Flask, abort, request


def _refuse_nul() -> None:
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(_refuse_nul)
