"""The read-only feed for BI tools: `Authorization: Bearer <token>`, JSON or CSV pages.

A page is `{"data": [...], "next": url|null}` in JSON, or a CSV (the review list's writer:
UTF-8 with BOM, RFC 4180, formula-safe) with `.csv` or `Accept: text/csv`; both carry the next
page's address in a `Link: <...>; rel="next"` header. Who may read what, and what `since`
means: services/feed/__init__.py.
"""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask.typing import ResponseReturnValue

from feedback_app.api import bp
from feedback_app.exports.selection import csv_table
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.services.access import scope_for
from feedback_app.services.accounts.api_tokens import authenticate
from feedback_app.services.feed import (
    FEEDS,
    FeedQuery,
    decode_cursor,
    encode_cursor,
    page_values,
    parse_limit,
    parse_since,
)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header (RFC 6750), never from the address:
    a token in a URL ends up in logs and in a BI file's saved query."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def feed(name: str) -> ResponseReturnValue:
    # JSON unless CSV is preferred: `*/*` (Power BI, curl) gets JSON.
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return _answer(name, as_csv=best == "text/csv")


def feed_csv(name: str) -> ResponseReturnValue:
    return _answer(name, as_csv=True)


# One address per feed, written out (the OpenAPI document lists each with its columns).
for _name in FEEDS:
    bp.add_url_rule(f"/feed/{_name}", "feed", feed, defaults={"name": _name})
    bp.add_url_rule(f"/feed/{_name}.csv", "feed_csv", feed_csv, defaults={"name": _name})


def _answer(name: str, *, as_csv: bool) -> ResponseReturnValue:
    user = authenticate(db.session, bearer_token(), endpoint=name)
    scope = scope_for(user)
    tz = str(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    query = FeedQuery(
        since=parse_since(request.args.get("since"), tz),
        after=decode_cursor(name, request.args.get("cursor")),
        limit=parse_limit(request.args.get("limit")),
        language=current_language(),
        tz=tz,
    )
    page = FEEDS[name](db.session, scope, query)
    db.session.rollback()  # a read: end the transaction before streaming the answer
    next_url = None
    if page.last_id is not None:
        # The next page asks what this one asked (only the feed's own parameters).
        kept = {k: request.args[k] for k in ("since", "limit", "lang") if k in request.args}
        next_url = url_for(
            request.endpoint or "api.feed",
            name=name,
            cursor=encode_cursor(name, page.last_id),
            _external=True,
            **kept,
        )
    if as_csv:
        response = Response(
            b"".join(csv_table(page.columns, page.rows)), content_type="text/csv; charset=utf-8"
        )
        response.headers.set("Content-Disposition", "inline", filename=f"{name}.csv")
    else:
        # In the columns' order (the CSV's), not sorted as jsonify would.
        body = current_app.json.dumps(
            {"data": [page_values(page.columns, row) for row in page.rows], "next": next_url},
            sort_keys=False,
            ensure_ascii=False,
        )
        response = Response(body, mimetype="application/json")
    if next_url is not None:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    response.headers["Cache-Control"] = "no-store"
    response.vary.update(("Authorization", "Accept"))
    return response
