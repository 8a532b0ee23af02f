"""Static assets for weak phone connections: versioned URLs, long caching, gzip.

- Every `url_for('static', ...)` gets `?v=<asset version>`: a hash of the static files and the
  package version. A versioned URL never changes content, so the browser keeps it a year; a new
  release changes the URL. The service worker (public/offline.py) is versioned by the same hash,
  so a new release also replaces what it cached.
- Text assets (CSS, JS, SVG, JSON) are sent gzip-compressed to clients that accept it, from an
  in-memory copy compressed once. HTML is compressed only for the GET pages listed in
  HTML_ENDPOINTS: the stop forms, which reflect no input next to their CSRF token (BREACH).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
from importlib import metadata
from pathlib import Path

from flask import Flask, Response, current_app, request

_COMPRESSIBLE = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/html",
    }
)
_MIN_SIZE = 512
_YEAR = 365 * 24 * 3600
_CACHE_KEY = "tournee_gzip_cache"
HTML_ENDPOINTS = frozenset({"public.stop_form", "public.tablet"})


def register(app: Flask) -> None:
    app.extensions[_CACHE_KEY] = {}
    app.url_defaults(_version_static_urls)
    app.after_request(_cache_and_compress)


def asset_version(app: Flask | None = None) -> str:
    """ASSET_VERSION if configured, else a hash of the package version and the static files."""
    app = app or current_app
    configured = app.config.get("ASSET_VERSION")
    if configured:
        return str(configured)
    computed = app.extensions.get("tournee_asset_version")
    if computed is None:
        computed = app.extensions["tournee_asset_version"] = _hash_static(app)
    return computed


def _hash_static(app: Flask) -> str:
    digest = hashlib.sha256()
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("tournee").encode())
    root = Path(app.static_folder or "")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values:
        values["v"] = asset_version()


def _cache_and_compress(response: Response) -> Response:
    if request.endpoint == "static":
        if request.args.get("v") == asset_version():
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = _YEAR
            response.cache_control.immutable = True
        else:  # an old page asking for an old version gets today's file, not kept for long
            response.cache_control.no_cache = True
    if _wants_gzip(response):
        _gzip(response)
    return response


def _wants_gzip(response: Response) -> bool:
    if response.status_code != 200 or request.method != "GET":
        return False
    if "Content-Encoding" in response.headers or response.mimetype not in _COMPRESSIBLE:
        return False
    if response.mimetype == "text/html" and request.endpoint not in HTML_ENDPOINTS:
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False
    response.vary.add("Accept-Encoding")
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def _gzip(response: Response) -> None:
    cache: dict[tuple[str, str], bytes] = current_app.extensions[_CACHE_KEY]
    original = response.response
    etag, _weak = response.get_etag()
    key = (request.path, etag) if request.endpoint == "static" and etag else None
    body = cache.get(key) if key else None
    if body is None:
        response.direct_passthrough = False
        data = response.get_data()
        _close(original)
        if len(data) < _MIN_SIZE:
            return
        body = gzip.compress(data, compresslevel=9 if key else 6, mtime=0)
        if key:
            cache[key] = body
    response.direct_passthrough = False
    response.set_data(body)  # also sets Content-Length
    _close(original)
    response.headers["Content-Encoding"] = "gzip"
    if etag:  # a different representation of the same resource
        response.set_etag(etag, weak=True)


def _close(body: object) -> None:
    """Close a static file's handle once its bytes have been read or replaced."""
    close = getattr(body, "close", None)
    if callable(close):
        close()
