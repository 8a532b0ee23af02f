"""HTTP hardening as a browser sees it: headers, no caching of staff pages, friendly errors."""

from __future__ import annotations

import pytest
from flask import abort

from feedback_app import create_app
from feedback_app.models import Role
from feedback_app.web.security import CONTENT_SECURITY_POLICY
from tests.staff import make_user, post, signed_in

REQUIRED_CSP = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
]


def _directives(header: str) -> list[str]:
    return [part.strip() for part in header.split(";")]


def test_policy_has_every_directive_and_nothing_unsafe() -> None:
    assert _directives(CONTENT_SECURITY_POLICY) == REQUIRED_CSP
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_pages_json_and_errors_carry_the_security_headers(client, open_stop) -> None:
    for path in [
        "/",
        f"/f/{open_stop.code}",
        "/login",
        f"/api/v1/stops/{open_stop.code}",
        "/no-such-page",
        "/static/css/app.css",
    ]:
        response = client.get(path)
        assert _directives(response.headers["Content-Security-Policy"]) == REQUIRED_CSP, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] in (
            "strict-origin-when-cross-origin",
            "no-referrer",
        ), path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_pages_have_no_inline_script_or_style(client, open_stop) -> None:
    """What the CSP would block: inline <script>, style="" and on* handlers in our templates."""
    for path in ["/", f"/f/{open_stop.code}", "/login", "/no-such-page"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<script >" not in html, path
        assert " style=" not in html, path
        assert " onclick=" not in html and " onload=" not in html, path


def test_hsts_only_over_https(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://tournee.example.ma")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_ignored_without_proxy_setting(client) -> None:
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_proxy_fix_setting_trusts_the_proxy(database_url: str) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PROXY_FIX_X_FOR": "1",
            "PROXY_FIX_X_PROTO": "1",
        }
    )
    seen = {}

    @app.get("/whoami-test")
    def whoami():
        from flask import request

        seen["addr"], seen["secure"] = request.remote_addr, request.is_secure
        return "ok"

    response = app.test_client().get(
        "/whoami-test", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    )
    assert seen == {"addr": "203.0.113.7", "secure": True}
    assert "Strict-Transport-Security" in response.headers


def test_public_pages_may_be_cached_but_staff_pages_may_not(
    app,
    client,
    session,
    open_stop,
) -> None:
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    make_user(session, "hq@example.ma", role=Role.HQ)
    staff = signed_in(app, "hq@example.ma")
    # Anything a signed-in person receives, even a public page, stays out of caches.
    assert staff.get("/").headers["Cache-Control"] == "no-store"
    for path in ["/review/", "/hq/"]:
        response = staff.get(path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_downloads_are_not_cached(app) -> None:
    @app.get("/download-test")
    def download():
        return "a,b\n", 200, {"Content-Disposition": "attachment; filename=x.csv"}

    assert app.test_client().get("/download-test").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("lang", "direction", "title"),
    [("fr", "ltr", "Page introuvable"), ("ar", "rtl", None), ("en", "ltr", None)],
)
def test_404_page_is_friendly_in_the_readers_language(client, lang, direction, title) -> None:
    response = client.get("/nothing-here", headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert "Retour à l'accueil" in html or lang != "fr"
    if title:
        assert title in html


def test_api_errors_are_json(client, open_stop) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.is_json and "error" in missing.json
    wrong_method = client.delete(f"/api/v1/stops/{open_stop.code}")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert "GET" in wrong_method.headers["Allow"]


def test_oversize_bodies_get_413_friendly_page_or_json(client, open_stop) -> None:
    big = "x" * (1024 * 1024 + 10)
    form = client.post(f"/f/{open_stop.code}", data={"organisation": big})
    assert form.status_code == 413
    assert form.mimetype == "text/html"
    assert "Envoi trop volumineux" in form.get_data(as_text=True)
    api = client.post(
        f"/api/v1/stops/{open_stop.code}/submissions",
        data='{"organisation": "' + big + '"}',
        content_type="application/json",
    )
    assert api.status_code == 413 and api.is_json and api.json["error"]


def test_403_page(app) -> None:
    @app.get("/forbidden-test")
    def forbidden():
        abort(403)

    response = app.test_client().get("/forbidden-test")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_500_page_is_friendly_with_a_request_id_and_json_under_api(app) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("kaboom")

    @app.get("/api/v1/boom-test")
    def api_boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    page = client.get("/boom-test")
    html = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Erreur du serveur" in html and "kaboom" not in html
    assert page.headers["X-Request-ID"] in html  # support can find the log line
    api = client.get("/api/v1/boom-test")
    assert api.status_code == 500 and api.is_json and "kaboom" not in api.get_data(as_text=True)


def test_csrf_failure_on_a_staff_form_is_a_friendly_400(app, session) -> None:
    make_user(session, "hq@example.ma", role=Role.HQ)
    staff = signed_in(app, "hq@example.ma")
    response = staff.post("/logout", data={"csrf_token": "forged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in html
    assert "CSRF" not in html  # no library jargon
    # And the session was not ended by the forged post.
    assert post(app, staff, "/logout").status_code == 302


def test_a_domain_not_found_rising_from_any_route_is_the_404_page(app) -> None:
    from feedback_app.services.errors import NotFound

    @app.get("/raises-not-found")
    def _raises():
        raise NotFound("submission 7")

    response = app.test_client().get("/raises-not-found", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
