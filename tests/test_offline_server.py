"""The server side of the offline layer: worker script, versioned assets, gzip, tablet page."""

from __future__ import annotations

import gzip
import re

from sqlalchemy import select

from feedback_app.models import Role, StopStatus, Submission, SubmissionSource
from tests.conftest import valid_payload
from tests.staff import make_user, signed_in


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_service_worker_is_versioned_and_never_kept_stale(app, client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    version = re.search(r'var VERSION = "([^"]+)";', body).group(1)
    assets = re.search(r"var ASSETS = (\[.*\]);", body).group(1)
    assert f"/static/js/offline.js?v={version}" in assets
    assert 'addEventListener("fetch"' in body

    app.config["ASSET_VERSION"] = "next-release"
    newer = client.get("/sw.js").get_data(as_text=True)
    assert 'var VERSION = "next-release";' in newer and newer != body


def test_form_assets_carry_the_version_and_are_kept_a_year(client, open_stop):
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    urls = _asset_urls(html)
    assert {u.split("?")[0] for u in urls} >= {
        "/static/css/app.css",
        "/static/js/outbox.js",
        "/static/js/form.js",
        "/static/js/offline.js",
    }
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable
        assert not response.cache_control.no_cache
        response.close()

    stale = client.get("/static/css/app.css?v=an-old-release")
    assert stale.status_code == 200 and stale.cache_control.no_cache
    stale.close()


def test_text_assets_and_the_form_are_gzipped_for_clients_that_accept_it(client, open_stop):
    plain = client.get("/static/js/offline.js")
    packed = client.get("/static/js/offline.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert "Content-Encoding" not in plain.headers
    plain.close()

    page = client.get(f"/f/{open_stop.code}", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b'id="stop-form"' in gzip.decompress(page.data)


def test_a_conditional_request_still_gets_304_from_the_compressed_etag(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.startswith("W/")
    again = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_pages_that_reflect_input_are_never_compressed(client, open_stop):
    # A re-rendered form carries what was typed next to the CSRF token (BREACH).
    response = client.post(
        f"/f/{open_stop.code}",
        data={"organisation": "x" * 600},
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 422
    assert "Content-Encoding" not in response.headers
    index = client.get("/?code=" + "y" * 600, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in index.headers


def test_tablet_page_is_the_stop_form_in_several_in_a_row_mode(app, session, open_stop, make_stop):
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = signed_in(app, "siege@example.ma")
    html = client.get(f"/f/{open_stop.code}/tablet").get_data(as_text=True)
    assert 'data-mode="tablet"' in html
    # Without JavaScript the plain form post; with it, the API. Both say "tablet" (the source).
    assert f'action="/f/{open_stop.code}?channel=tablet"' in html
    assert f'data-api="/api/v1/stops/{open_stop.code}/submissions?channel=tablet"' in html

    closed = make_stop(city="Dakhla", region="dakhla-oued-ed-dahab", status=StopStatus.CLOSED)
    page = client.get(f"/f/{closed.code}/tablet").get_data(as_text=True)
    assert 'id="stop-form"' not in page and "terminée" in page
    assert client.get("/f/nope/tablet").status_code == 404


def test_the_phone_form_registers_the_worker_without_inline_script(client, open_stop):
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    assert 'data-mode="phone"' in html and 'data-sw="/sw.js"' in html
    assert 'data-sw-scope="/f/"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"


def test_the_forms_offline_channel_is_recorded_as_the_form(client, session, open_stop):
    url = f"/api/v1/stops/{open_stop.code}/submissions"
    from_form = client.post(url, json=valid_payload(), headers={"X-Tournee-Channel": "form"})
    from_api = client.post(url, json=valid_payload())
    assert from_form.status_code == from_api.status_code == 201
    sources = dict(session.execute(select(Submission.reference, Submission.source)).all())
    assert sources == {
        from_form.get_json()["reference"]: SubmissionSource.FORM,
        from_api.get_json()["reference"]: SubmissionSource.API,
    }


def test_the_thank_you_page_clears_the_draft_of_its_stop(client, open_stop):
    from tests.conftest import csrf_token, hidden_value

    form = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    response = client.post(
        f"/f/{open_stop.code}",
        data={
            "csrf_token": csrf_token(form),
            "client_id": hidden_value(form, "client_id"),
            "organisation": "Riad",
            "category": "hebergement",
            "need-0-text": "Un besoin",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert f'data-clear-draft="{open_stop.code}"' in html
    assert "/static/js/form.js" in html
