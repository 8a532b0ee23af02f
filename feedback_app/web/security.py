"""HTTP hardening: security headers, no caching of staff pages, the reverse-proxy fix."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: every asset is a file the app serves. `data:` images are
# allowed for the QR codes of the stop posters.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

# Not "no-referrer": Flask-WTF checks that an HTTPS form post comes with a same-origin Referer
# (WTF_CSRF_SSL_STRICT), so same-origin requests must keep sending it. Other sites only ever
# learn the origin, never a path (the set-password pages add no-referrer themselves).
REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS = "max-age=31536000; includeSubDomains"

# Pages that show what staff see, or that a shared computer's cache must not keep.
_PRIVATE_BLUEPRINTS = frozenset({"auth", "review", "hq"})
_PRIVATE_PREFIXES = ("/login", "/logout", "/set-password", "/review", "/hq")


def register(app: Flask) -> None:
    _install_proxy_fix(app)
    app.after_request(_add_security_headers)


def _setting(app: Flask, key: str) -> int:
    """An integer setting that may come from the environment as text."""
    value = app.config.get(key) or 0
    try:
        return max(0, int(value))
    except (TypeError, ValueError) as error:
        raise RuntimeError(f"{key} must be a whole number, got {value!r}") from error


def _install_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only when a setting says how many proxies stand in front of us.

    Without a proxy, trusting these headers would let any client choose its own address (and
    so its rate-limit bucket); behind one without the fix, every client shares its address.
    """
    x_for = _setting(app, "PROXY_FIX_X_FOR")
    x_proto = _setting(app, "PROXY_FIX_X_PROTO")
    x_host = _setting(app, "PROXY_FIX_X_HOST")
    if x_for or x_proto or x_host:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=x_host
        )


def is_private_response(response: Response) -> bool:
    """Staff pages, anything shown to a signed-in user, and downloaded files.

    Static assets are the same for everyone and versioned: they stay cacheable (and need no
    user lookup), even when a signed-in delegate opens the offline form.
    """
    if request.endpoint == "static":
        return False
    if request.blueprint in _PRIVATE_BLUEPRINTS or request.path.startswith(_PRIVATE_PREFIXES):
        return True
    if "attachment" in response.headers.get("Content-Disposition", ""):
        return True
    return bool(current_user and current_user.is_authenticated)


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if is_private_response(response):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
