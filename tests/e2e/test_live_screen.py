"""The live screen in a real browser: figures change without a reload when people post."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from feedback_app.extensions import db
from feedback_app.models import Role
from feedback_app.models import SubmissionSource as Source
from feedback_app.services.capture.submissions import submit
from tests.e2e.conftest import screenshot
from tests.e2e.forms import sign_in
from tests.staff import add_stop, make_user


def _post(live_server, code: str, organisation: str) -> None:
    with live_server.app.app_context():
        submit(
            db.session,
            code,
            {
                "client_id": str(uuid.uuid4()),
                "organisation": organisation,
                "category": "hebergement",
                "items": [
                    {
                        "kind": "need",
                        "text": "Former le personnel en anglais.",
                        "theme": "formation-rh",
                    }
                ],
            },
            source=Source.API,
        )
        db.session.remove()


def test_the_live_screen_follows_the_room_without_reloading(live_server, page) -> None:
    with live_server.app.app_context():
        make_user(db.session, "siege@example.ma", role=Role.HQ, name="Siège")
        stop = add_stop(db.session)
        stop_id, code = stop.id, stop.code
        db.session.remove()
    _post(live_server, code, "Riad Dar Atlas")
    sign_in(page, live_server.url, "siege@example.ma")
    page.goto(f"{live_server.url}/review/stops/{stop_id}/live")
    total = page.locator("[data-field=submissions]")
    assert total.text_content() == "1"
    page.evaluate("window.__same_page = true")  # gone if the page were reloaded
    _post(live_server, code, "Agence Sahara Tours")
    _post(live_server, code, "Surf Club")
    expect(total).to_have_text("3", timeout=15_000)  # the script polls every 5 s
    assert page.evaluate("window.__same_page") is True
    assert "3" in page.locator(".tile.kind-need .count").text_content()
    body = page.content()
    assert "Riad Dar Atlas" not in body and "Sahara" not in body
    screenshot(page, "live-screen-phone")
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    screenshot(page, "live-screen")
