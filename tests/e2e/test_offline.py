"""Offline-first capture (issue 7) in Debian's Chromium: the venue's network comes and goes.

Each test opens a stop's form online first (that is what installs the service worker and
caches the form), then cuts the browser context off the network.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from feedback_app.extensions import db
from feedback_app.models import SubmissionSource
from tests.e2e.conftest import screenshot
from tests.e2e.forms import (
    API,
    QUEUED,
    eventually,
    fill,
    open_cached_form,
    posts,
    shown_references,
    sign_in,
    stored,
    submit,
)
from tests.staff import make_user


def queue_three_offline(page, context, live_server) -> None:
    context.set_offline(True)
    for n in (1, 2, 3):
        fill(page, f"Organisation {n}", f"Besoin numéro {n}", proposal=f"Idée {n}")
        submit(page)
        done = page.locator("#done")
        done.wait_for(state="visible")
        assert QUEUED in done.inner_text()
        assert page.locator("#stop-form").is_hidden()
        if n < 3:
            page.get_by_role("button", name="Envoyer une autre contribution").click()
            # The same person's next one: organisation and category kept, the rest blank.
            assert page.get_by_label("Organisation").input_value() == f"Organisation {n}"
            assert page.get_by_label("Catégorie professionnelle").input_value() == "hebergement"
            assert page.get_by_label("Besoin 1", exact=True).input_value() == ""
    assert stored(live_server) == []

    before = len(live_server.requests)
    page.reload()
    page.get_by_label("Organisation").wait_for(state="visible")
    assert live_server.requests[before:] == [], "the form must come from the device offline"
    expect(page.locator("#outbox-list li")).to_have_count(3)
    expect(page.locator("#outbox-list .outbox-queued")).to_have_count(3)
    screenshot(page, "offline-three-queued")


def assert_three_stored_once(page, live_server) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list .reference').length === 3",
        timeout=20_000,
    )
    rows = stored(live_server)
    assert len(rows) == 3
    assert sorted(r.organisation for r in rows) == [
        "Organisation 1",
        "Organisation 2",
        "Organisation 3",
    ]
    for row in rows:
        n = row.organisation[-1]
        assert [(i.kind.value, i.text) for i in row.items] == [
            ("need", f"Besoin numéro {n}"),
            ("proposal", f"Idée {n}"),
        ]
        assert row.category_code == "hebergement"
        assert row.source is SubmissionSource.FORM and row.filled_at is not None
        assert row.late is False
    assert len({r.client_id for r in rows}) == 3
    assert sorted(shown_references(page)) == sorted(r.reference for r in rows)


def test_three_forms_filled_offline_are_each_stored_once_back_online(
    live_server, context, page
) -> None:
    open_cached_form(page, live_server)
    queue_three_offline(page, context, live_server)

    context.set_offline(False)

    assert_three_stored_once(page, live_server)
    screenshot(page, "offline-three-sent")


def test_a_lost_answer_is_resent_and_still_stored_once(live_server, context, page) -> None:
    open_cached_form(page, live_server)
    state = {"online": False, "dropped": []}

    def drop_first_answer(route) -> None:
        if not state["online"]:
            route.abort("internetdisconnected")
        elif not state["dropped"]:
            state["dropped"].append("sending")  # the page and the worker may both be sending
            response = route.fetch()  # the request reaches the server and is stored...
            state["dropped"][0] = (response.status, route.request.post_data_json["client_id"])
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.continue_()

    context.route(API, drop_first_answer)
    queue_three_offline(page, context, live_server)

    state["online"] = True
    context.set_offline(False)

    assert_three_stored_once(page, live_server)
    [(status, client_id)] = state["dropped"]
    # 201, or 200 when the service worker's Background Sync stored it a moment before.
    assert status in (200, 201)
    assert client_id in {str(row.client_id) for row in stored(live_server)}
    assert posts(live_server) >= 4  # the dropped one was sent again


def test_a_draft_survives_a_reload_and_goes_once_sent(live_server, page) -> None:
    open_cached_form(page, live_server)
    fill(page, "Agence Atlas Voyages", "Des vols directs vers Dakhla.")
    page.get_by_role("button", name="+ Ajouter une autre entrée").first.click()
    page.get_by_label("Besoin 2", exact=True).fill("Une signalétique bilingue.")
    page.get_by_label("J'accepte d'être recontacté(e)").check()
    page.get_by_label("E-mail").fill("contact@atlas.example")
    page.wait_for_timeout(500)  # the draft is written 300 ms after the last keystroke

    page.reload()

    assert page.get_by_label("Organisation").input_value() == "Agence Atlas Voyages"
    assert page.get_by_label("Catégorie professionnelle").input_value() == "hebergement"
    assert page.get_by_label("Besoin 1").input_value() == "Des vols directs vers Dakhla."
    assert page.get_by_label("Besoin 2", exact=True).input_value() == "Une signalétique bilingue."
    assert page.get_by_label("J'accepte d'être recontacté(e)").is_checked()
    assert page.get_by_label("E-mail").input_value() == "contact@atlas.example"

    submit(page)
    page.locator(".receipt .reference").wait_for(state="visible")
    row = stored(live_server)[0]
    assert [i.text for i in row.items] == [
        "Des vols directs vers Dakhla.",
        "Une signalétique bilingue.",
    ]
    assert row.email == "contact@atlas.example"

    page.reload()
    assert page.get_by_label("Organisation").input_value() == ""
    assert page.get_by_label("Besoin 1", exact=True).input_value() == ""
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tournee-draft'))") == []
    )


def test_a_refused_form_shows_the_servers_messages_next_to_the_fields(live_server, page) -> None:
    open_cached_form(page, live_server)
    fill(page, "Riad Zitoun", "Former les guides.")
    page.get_by_label("J'accepte d'être recontacté(e)").check()
    page.get_by_label("E-mail").fill("pas-une-adresse")

    submit(page)

    error = page.locator("#email-error")
    error.wait_for(state="visible")
    assert "e-mail" in error.inner_text().lower()
    assert page.get_by_label("Organisation").input_value() == "Riad Zitoun"
    assert page.get_by_label("Besoin 1", exact=True).input_value() == "Former les guides."
    assert stored(live_server) == []
    expect(page.locator("#outbox-list li")).to_have_count(0)


def test_an_empty_form_is_not_queued_offline(live_server, context, page) -> None:
    open_cached_form(page, live_server)
    context.set_offline(True)
    page.get_by_label("Organisation").fill("Hôtel Sahara")

    submit(page)

    assert page.locator("#category-error").is_visible()
    assert page.locator("#need-0-text-error").is_visible()
    assert page.evaluate("document.activeElement.id") == "category"
    assert page.locator("#done").is_hidden()
    expect(page.locator("#outbox-list li")).to_have_count(0)


def _delegate_signed_in(page, live_server) -> None:
    """The tablet page is for the region's delegate (or HQ), signed in."""
    with live_server.app.app_context():
        make_user(db.session, "delegue.tablette@example.ma")
    sign_in(page, live_server.url, "delegue.tablette@example.ma")


def test_the_delegates_tablet_takes_paper_forms_in_a_row(live_server, context, page) -> None:
    _delegate_signed_in(page, live_server)
    code = open_cached_form(page, live_server, "/tablet")
    organisation = page.get_by_label("Organisation")

    def enter(name: str, need: str) -> None:
        organisation.fill(name)
        page.get_by_label("Catégorie professionnelle").select_option("restauration")
        page.get_by_label("Besoin 1", exact=True).fill(need)
        organisation.press("Enter")  # the keyboard is enough: Enter in a field sends
        page.wait_for_function("() => document.getElementById('organisation').value === ''")
        assert page.evaluate("document.activeElement.id") == "organisation"

    enter("Café Clock", "Terrasses")
    enter("Dar Cherifa", "Formation")
    context.set_offline(True)
    enter("Le Jardin", "Visibilité")
    expect(page.locator("#outbox-list .outbox-queued")).to_have_count(1)
    assert page.locator("#stop-form").is_visible()

    context.set_offline(False)

    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list .reference').length === 3",
        timeout=20_000,
    )
    rows = stored(live_server)
    assert sorted(r.organisation for r in rows) == ["Café Clock", "Dar Cherifa", "Le Jardin"]
    assert sorted(shown_references(page)) == sorted(r.reference for r in rows)
    screenshot(page, "tablet-three-receipts")

    # The phone form of the same stop shares the device's queue and its receipts.
    page.goto(f"{live_server.url}/f/{code}")
    expect(page.locator("#outbox-list .reference")).to_have_count(3)


def test_a_new_release_replaces_the_cache_and_an_old_form_still_posts(
    live_server, context, page
) -> None:
    open_cached_form(page, live_server)
    old = page.evaluate("caches.keys()")
    assert len(old) == 1 and old[0].startswith("tournee-")
    context.set_offline(True)
    fill(page, "Kasbah Ait Ben Haddou", "Rénover la piste.")
    submit(page)  # queued by the old release's page and script
    page.locator("#done").wait_for(state="visible")

    new_version = "release-" + uuid.uuid4().hex[:8]
    live_server.app.config["ASSET_VERSION"] = new_version  # the server is upgraded meanwhile
    context.set_offline(False)

    page.wait_for_function(
        "() => document.querySelectorAll('#outbox-list .reference').length === 1",
        timeout=20_000,
    )
    assert [r.organisation for r in stored(live_server)] == ["Kasbah Ait Ben Haddou"]

    page.reload()  # online: the new page, and the browser finds the new worker
    eventually(page, f"caches.keys().then(k => k.length === 1 && k[0] === 'tournee-{new_version}')")
    urls = page.evaluate(
        "caches.open(`tournee-" + new_version + "`).then(c => c.keys())"
        ".then(r => r.map(x => x.url))"
    )
    assets = [u for u in urls if "/static/" in u]
    assert assets and all(u.endswith("?v=" + new_version) for u in assets)
    assert any(re.search(r"/f/[^/?]+$", u) for u in urls), "the form stays available offline"
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert all(s.endswith("?v=" + new_version) for s in scripts)

    context.set_offline(True)
    page.reload()
    page.get_by_label("Organisation").wait_for(state="visible")


@pytest.mark.parametrize("path", ["", "/tablet"])
def test_first_load_of_the_form_stays_within_60_kb(live_server, browser, path) -> None:
    """Everything the phone downloads the first time: the page, its assets, the worker and
    the worker's own copy of the form, as the browser counts them (compressed, headers too)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    try:
        sizes: list[tuple[str, int]] = []

        def count(request) -> None:
            response = request.response()
            if response is None:
                return
            s = request.sizes()
            sizes.append((request.url, s["responseBodySize"] + s["responseHeadersSize"]))

        page = context.new_page()
        if path:  # the tablet page is staff's: signed in first, not counted
            _delegate_signed_in(page, live_server)
        context.on("requestfinished", count)
        open_cached_form(page, live_server, path)
        time.sleep(0.5)
        total = sum(size for _url, size in sizes)
        report = "\n".join(f"{size:>7} {url}" for url, size in sizes)
        print(f"first load of /f/<code>{path}: {total} bytes\n{report}")
        assert any(url.endswith("/sw.js") for url, _ in sizes), report
        assert total <= 60 * 1024, report
    finally:
        context.close()
