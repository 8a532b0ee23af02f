"""Request input refused once for every route, before any handler sees it.

- A NUL character in the path or the query string is never legitimate, and PostgreSQL refuses
  it in any text it is compared with, which would turn a lookup into a 500: a path with one
  answers 404 (it names nothing), a query string 400.
- A chunked body (no Content-Length) is cut by Werkzeug at MAX_CONTENT_LENGTH without a word,
  so the handler would see half a JSON document or half a form (400 or 422 for the wrong
  reason): it is read here, up to the limit, and one byte more means 413, like a body whose
  Content-Length says it is too large.
"""

from __future__ import annotations

from flask import Flask, abort, request


def _refuse_nul() -> None:
    if "\x00" in request.path:
        abort(404)  # names nothing, like any other unknown address
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def _refuse_oversized_stream() -> None:
    limit = request.max_content_length
    if limit is None or request.content_length is not None:
        return
    if not request.environ.get("wsgi.input_terminated"):
        return  # Werkzeug gives such a request an empty body anyway
    body = request.get_data(cache=True)  # kept for the handler, which parses it as usual
    if len(body) >= limit and request.environ["wsgi.input"].read(1):
        abort(413)


def register(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.before_request(_refuse_oversized_stream)
