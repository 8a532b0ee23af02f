"""A professional on a phone fills the stop form and gets a receipt."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback_app.extensions import db
from feedback_app.models import Submission
from feedback_app.services.codes import is_receipt_reference
from tests.e2e.conftest import screenshot


def test_phone_fills_the_form_and_sees_the_receipt(live_server, page) -> None:
    code = live_server.open_stop()
    page.goto(f"{live_server.url}/f/{code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Organisation").fill("Riad Dar Atlas")
    page.get_by_label("Catégorie professionnelle").select_option("hebergement")
    page.get_by_label("Besoin 1", exact=True).fill("Former le personnel à l'accueil en anglais.")
    page.get_by_role("button", name="Envoyer ma contribution").click()

    reference = page.locator(".receipt .reference")
    reference.wait_for(state="visible")
    assert is_receipt_reference(reference.inner_text().strip())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "smoke-phone-receipt")

    with live_server.app.app_context():
        stored = db.session.scalars(select(Submission)).all()
        assert [s.reference for s in stored] == [reference.inner_text().strip()]
        assert stored[0].organisation == "Riad Dar Atlas"
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_enter_in_a_field_sends_the_form_without_javascript(live_server, browser) -> None:
    """Enter presses the form's first submit button: it must send, not "add another"."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        code = live_server.open_stop()
        page.goto(f"{live_server.url}/f/{code}")
        page.get_by_label("Catégorie professionnelle").select_option("hebergement")
        page.get_by_label("Besoin 1", exact=True).fill("Plus de vols directs en hiver.")
        page.get_by_label("Organisation").fill("Hôtel Atlas")
        page.get_by_label("Organisation").press("Enter")
        page.locator(".receipt .reference").wait_for(state="visible")
        assert page.get_by_label("Besoin 2", exact=True).count() == 0
        with live_server.app.app_context():
            assert [s.organisation for s in db.session.scalars(select(Submission))] == [
                "Hôtel Atlas"
            ]
    finally:
        context.close()
