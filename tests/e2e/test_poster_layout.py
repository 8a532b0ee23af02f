"""The A4 poster and the staff header, as HQ sees and prints them, at 360 px and 1366 px.

Nothing may stick out of the screen, the printed QR codes must be at least 9 cm wide (readable
from 2-3 m), the printed poster must fit one A4 page, and the staff header must hold on one
line on a 1366 px laptop. Screenshots are kept under test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from feedback_app.extensions import db
from feedback_app.models import Role
from tests.catalogs import compile_catalogs, use_catalogs
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.forms import sign_in
from tests.e2e.test_arabic import OVERFLOWING
from tests.staff import make_user

CSS_PX_PER_CM = 96 / 2.54
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def hq_world(live_server, tmp_path):
    live_server.app.config["PUBLIC_BASE_URL"] = "https://avis.tournee-exemple.ma"
    code = live_server.open_stop(city="Fès")
    with live_server.app.app_context():
        make_user(db.session, "siege@example.ma", role=Role.HQ, name="Siège")
        from sqlalchemy import select

        from feedback_app.models import TourStop

        stop = db.session.scalars(select(TourStop).where(TourStop.code == code)).one()
        stop.city_ar, stop.venue_ar = "فاس", "قصر المؤتمرات"
        db.session.commit()
        stop_id = stop.id
        db.session.remove()
    with use_catalogs(live_server.app, compile_catalogs(tmp_path / "translations")):
        yield stop_id


def _overflow(page) -> tuple[int, int, list[str]]:
    return (
        page.evaluate("document.documentElement.scrollWidth"),
        page.evaluate("document.documentElement.clientWidth"),
        page.evaluate(OVERFLOWING),
    )


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1366"])
def test_poster_fits_the_screen_and_prints_big_qr_codes_on_one_a4(
    live_server,
    hq_world,
    browser,
    language: str,
    viewport: dict,
) -> None:
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "siege@example.ma")
        page.goto(f"{live_server.url}/hq/stops/{hq_world}/poster?lang={language}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        scroll, client, out = _overflow(page)
        assert scroll <= client and out == [], out
        qr_boxes = [page.locator("svg.qr").nth(i).bounding_box() for i in range(2)]
        assert all(box and box["width"] > 100 for box in qr_boxes)
        screenshot(page, f"poster-{language}-{viewport['width']}-screen")

        # The halves keep their own direction: French reads from the left, Arabic from the right.
        assert (
            page.locator('.poster-foot-half[lang="fr"]').evaluate(
                "el => getComputedStyle(el).direction"
            )
            == "ltr"
        )
        assert (
            page.locator('.poster-foot-half[lang="ar"]').evaluate(
                "el => getComputedStyle(el).direction"
            )
            == "rtl"
        )
        assert "فاس" in page.locator('.poster-head[lang="ar"]').inner_text()

        page.emulate_media(media="print")
        widths_cm = [
            page.locator("svg.qr").nth(i).bounding_box()["width"] / CSS_PX_PER_CM for i in range(2)
        ]
        assert all(width >= 9.0 for width in widths_cm), widths_cm
        assert page.locator(".site-header").is_hidden()
        screenshot(page, f"poster-{language}-{viewport['width']}-print")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (ARTIFACTS / f"poster-{language}-{viewport['width']}.pdf").write_bytes(pdf)
        assert _pages(pdf) == 1  # the whole poster on one A4 sheet
    finally:
        context.close()


def _pages(pdf: bytes) -> int:
    """Pages of a PDF, from its page tree's /Count (Chromium writes a single tree)."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    return max(counts) if counts else -1


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_staff_header_holds_on_one_line_at_1366(
    live_server, hq_world, browser, language: str
) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "siege@example.ma")
        page.goto(f"{live_server.url}/hq/stops?lang={language}")
        header = page.locator(".site-header").bounding_box()
        brand = page.locator(".site-header .brand").bounding_box()
        assert header and brand
        # One line: the header is no taller than one row of links plus its padding.
        assert header["height"] < 2 * brand["height"] + 16, header
        tops = page.locator(".site-header a, .site-header button").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top + "
            "e.getBoundingClientRect().height / 2))"
        )
        assert max(tops) - min(tops) <= 6, tops
        scroll, client, out = _overflow(page)
        assert scroll <= client and out == [], out
        screenshot(page, f"staff-header-{language}-1366")
    finally:
        context.close()
