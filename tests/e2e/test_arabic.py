"""A professional opens the stop's Arabic link on a phone, corrects a mistake and sends.

The page must be right to left and mirrored (labels, errors and buttons start on the right),
nothing may stick out of a 360 px screen, and the receipt must come back in Arabic.
"""

from __future__ import annotations

import pytest

from feedback_app.services.codes import is_receipt_reference
from tests.catalogs import compile_catalogs, use_catalogs
from tests.e2e.conftest import screenshot
from tests.e2e.forms import stored

# Every visible element's box must stay on the 360 px screen (the honeypot and the skip link are
# deliberately off screen, on the unreachable side).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".hp, .skip-link, [hidden]")) continue;
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === "hidden") continue;
    if (r.left < -1 || r.right > width + 1) {
      const where = `[${Math.round(r.left)}, ${Math.round(r.right)}]`;
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${where}`);
    }
  }
  return out;
}"""

# The box of the text itself (a block label spans the whole line; its words do not).
TEXT_BOX = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right};
}"""


@pytest.fixture
def catalogs(live_server, tmp_path):
    """The server reads the committed catalogs, compiled now (no stale or missing .mo)."""
    with use_catalogs(live_server.app, compile_catalogs(tmp_path / "translations")):
        yield


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, "element not rendered"
    return {"left": box["x"], "right": box["x"] + box["width"]}


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(OVERFLOWING) == []


def test_arabic_form_on_a_phone_is_mirrored_and_sends(live_server, catalogs, page) -> None:
    code = live_server.open_stop()
    # The poster's Arabic QR code; the browser itself prefers French (context locale fr-FR).
    page.goto(f"{live_server.url}/f/{code}?lang=ar")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert page.viewport_size == {"width": 360, "height": 740}
    _no_overflow(page)

    organisation = page.get_by_label("المؤسسة")
    label = page.locator(f'label[for="{organisation.get_attribute("id")}"]')
    field = _box(organisation)
    words = label.evaluate(TEXT_BOX)
    # The label's words start at the right edge of the field and leave its left side empty.
    assert abs(words["right"] - field["right"]) <= 2, (words, field)
    assert words["left"] > field["left"] + 100, (words, field)

    # A first try with nothing typed: the messages are Arabic and sit on the right too.
    submit = page.get_by_role("button", name="إرسال مساهمتي")
    submit.click()
    error = page.locator(".field.has-error .error").first
    error.wait_for(state="visible")
    assert error.inner_text().strip() == "هذه الخانة إلزامية."
    error_words = error.evaluate(TEXT_BOX)
    assert abs(error_words["right"] - field["right"]) <= 2, (error_words, field)
    assert error.evaluate("e => getComputedStyle(e).direction") == "rtl"
    _no_overflow(page)

    organisation.fill("فندق رياض الأطلس")
    page.get_by_label("الفئة المهنية").select_option("hebergement")
    need = page.get_by_label("حاجة 1", exact=True)
    need.fill("تكوين موظفي الاستقبال في اللغات الأجنبية وتحسين الربط الجوي مع مراكش.")
    # Typed Arabic runs right to left in its box (dir="auto"), and so does the select.
    assert need.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert (
        page.get_by_label("الفئة المهنية").evaluate("e => getComputedStyle(e).direction") == "rtl"
    )
    # "Add another entry" starts on the right, where an Arabic reader starts.
    add = page.locator('fieldset[data-kind="need"] .add-entry')
    fieldset = _box(page.locator('fieldset[data-kind="need"]'))
    assert fieldset["right"] - _box(add)["right"] < 40
    assert _box(add)["left"] > fieldset["left"] + 40
    # The send button spans the form and centres its Arabic text, written right to left.
    assert submit.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert submit.evaluate("e => getComputedStyle(e).textAlign") == "center"
    _no_overflow(page)
    screenshot(page, "arabic-form-360")

    submit.click()
    reference = page.locator(".receipt .reference").first
    reference.wait_for(state="visible")
    ref = reference.inner_text().strip()
    assert is_receipt_reference(ref)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_text("شكرًا، تم تسجيل مساهمتكم.").first.is_visible()
    _no_overflow(page)
    screenshot(page, "arabic-receipt-360")

    rows = stored(live_server)
    assert [(r.reference, r.organisation, r.language) for r in rows] == [
        (ref, "فندق رياض الأطلس", "ar")
    ]
