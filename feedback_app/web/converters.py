"""URL converters registered app-wide, before any route is added.

`<int:...>` is bounded to the database's INTEGER range: a larger id cannot name a row, and
binding it fails on both databases (SQLite: OverflowError; PostgreSQL: "integer out of range"),
so it answers 404 like any other id that names nothing. Every `<int:...>` route of every
blueprint gets this, including routes added later.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from feedback_app.services.ids import MAX_ID


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
