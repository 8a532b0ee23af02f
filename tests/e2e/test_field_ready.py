"""The review desk and the stop form on a 360 px phone and a 1366 px laptop, in French and in
Arabic: nothing sticks out sideways, nothing is cut, and the screens are kept under
test-artifacts/. Then the form's details: one round trip for an invalid form with JavaScript,
removing an entry, and the live notice for contact details typed without consent."""

from __future__ import annotations

import uuid

import pytest

from feedback_app.extensions import db
from feedback_app.models import SubmissionSource as Source
from feedback_app.services.capture.submissions import submit
from tests.e2e.conftest import screenshot
from tests.e2e.forms import posts, sign_in, stored
from tests.e2e.test_arabic import catalogs  # noqa: F401  (fixture: the committed catalogs)
from tests.staff import add_stop, make_user

SIZES = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1366, "height": 768}}
LABELS = {
    "fr": {"filters": "Filtres", "save": "Enregistrer les modifications", "next": "Suivante ›"},
    "ar": {"filters": "عوامل التصفية", "save": "حفظ التعديلات", "next": "التالية ›"},
}

# Elements whose box leaves the screen sideways, or whose text is cut inside their own box.
NOT_FITTING = """(selectors) => {
  const width = window.innerWidth, out = [];
  if (document.scrollingElement.scrollWidth > width) {
    out.push(`page ${document.scrollingElement.scrollWidth} > ${width}`);
  }
  for (const el of document.querySelectorAll(selectors)) {
    // the honeypot and the skip link are off screen on purpose
    if (el.closest("[hidden], .hp, .skip-link, details:not([open]) > :not(summary)")) continue;
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < -1 || r.right > width + 1 || el.scrollWidth > el.clientWidth + 1) {
      const what = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`;
      out.push(`${what} [${Math.round(r.left)}, ${Math.round(r.right)}] ` +
               `${el.scrollWidth}/${el.clientWidth}`);
    }
  }
  return out;
}"""
KEY_ELEMENTS = (
    "label, summary, button, .button, .status, .kind, .result-count, .walk a, "
    "legend, h1, h2, .pagination a, select"
)

# The chosen option's text against the room a select gives it (its arrow included).
OPTION_ROOM = """(select) => {
  const style = getComputedStyle(select), ctx = document.createElement("canvas").getContext("2d");
  ctx.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: ctx.measureText(text).width, room: room - 20};
}"""


def _fits(page) -> None:
    assert page.evaluate(NOT_FITTING, KEY_ELEMENTS) == []


def _seed_desk(live_server) -> str:
    with live_server.app.app_context():
        session = db.session
        make_user(session, "delegue@example.ma", name="Nadia Tazi")
        stop = add_stop(session, venue="Palais des congrès")
        for n in range(6):
            submit(
                session,
                stop.code,
                {
                    "client_id": str(uuid.uuid4()),
                    "organisation": f"Association régionale des guides touristiques agréés {n}",
                    "category": "hebergement",
                    "items": [
                        {
                            "kind": "need",
                            "text": "Former le personnel d'accueil en anglais et en "
                            "espagnol avant la haute saison, avec des sessions courtes. " * 3,
                            "theme": "formation-rh",
                        },
                        {"kind": "proposal", "text": "إنشاء منصة رقمية جهوية للحجز " * 4},
                    ],
                },
                source=Source.FORM,
            )
        code = stop.code
        db.session.remove()
    return code


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_review_desk_fits_the_screen(live_server, catalogs, browser, size, lang) -> None:  # noqa: F811
    _seed_desk(live_server)
    context = browser.new_context(viewport=SIZES[size], locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "delegue@example.ma")
        page.goto(f"{live_server.url}/review/?lang={lang}")
        words = LABELS[lang]
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.locator("#result-count").inner_text().startswith("6")
        fold = page.locator("details#filters")
        row = page.locator(".review-list tbody tr").first
        if size == "phone":
            # Cards, and the filters behind one button that opens them.
            assert fold.get_attribute("open") is None
            assert row.evaluate("e => getComputedStyle(e).display") == "grid"
            assert row.bounding_box()["height"] < 500  # was 950 px as a squeezed table row
            _fits(page)
            screenshot(page, f"review-list-{size}-{lang}")
            page.get_by_text(words["filters"], exact=True).click()
            page.locator("#filter-form select").first.wait_for(state="visible")
        else:
            assert fold.get_attribute("open") is not None  # room enough: unfolded
            assert row.evaluate("e => getComputedStyle(e).display") == "table-row"
        _fits(page)
        screenshot(page, f"review-list-filters-{size}-{lang}")

        # The newest submission, then the next one of the same list.
        page.locator(".review-list tbody tr td.who a").first.click()
        page.get_by_role("button", name=words["save"]).wait_for()
        _fits(page)
        screenshot(page, f"review-submission-{size}-{lang}")
        page.get_by_role("link", name=words["next"]).click()
        page.get_by_role("link", name=words["next"]).wait_for()
        assert page.locator("h1").inner_text().endswith(" 4")  # the second newest
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_stop_form_fits_the_screen(live_server, catalogs, browser, size, lang) -> None:  # noqa: F811
    code = live_server.open_stop()
    context = browser.new_context(viewport=SIZES[size], locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/f/{code}?lang={lang}")
        page.locator('fieldset[data-kind="need"] .add-entry').click()
        _fits(page)
        # "— Aucune —" and "— Aucun —" whole in their selects.
        for select in page.locator(".entry-options select").all():
            room = select.evaluate(OPTION_ROOM)
            assert room["text"] <= room["room"], room
        screenshot(page, f"stop-form-{size}-{lang}")
    finally:
        context.close()


def _fill(page, need: str = "Former le personnel.") -> None:
    page.get_by_label("Organisation").fill("Riad Dar Atlas")
    page.get_by_label("Catégorie professionnelle").select_option("hebergement")
    page.get_by_label("Besoin 1", exact=True).fill(need)


def test_an_invalid_form_costs_one_round_trip(live_server, page) -> None:
    code = live_server.open_stop()
    page.goto(f"{live_server.url}/f/{code}")
    _fill(page)
    page.get_by_label("J'accepte d'être recontacté(e)").check()
    page.get_by_label("E-mail").fill("samira@example")  # the browser's syntax lets it through
    page.get_by_role("button", name="Envoyer ma contribution").click()
    error = page.locator("#email-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Adresse e-mail non valide."
    assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
    assert page.locator("#error-summary").is_visible()
    page.wait_for_timeout(500)
    assert posts(live_server) == 1  # the API's answer, shown here
    assert not [p for m, p in live_server.requests if m == "POST" and p.startswith("/f/")]
    assert page.get_by_label("Besoin 1", exact=True).input_value() == "Former le personnel."
    screenshot(page, "form-invalid-email-one-round-trip")

    page.get_by_label("E-mail").fill("samira@example.ma")
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.locator("#done .reference").wait_for(state="visible")
    assert page.locator("#done .keep-hint").is_visible()
    assert [r.email for r in stored(live_server)] == ["samira@example.ma"]


def test_contact_without_consent_is_said_before_sending(live_server, page) -> None:
    code = live_server.open_stop()
    page.goto(f"{live_server.url}/f/{code}")
    _fill(page)
    notice = page.locator("#contact-notice")
    assert notice.is_hidden()
    page.get_by_label("Nom et prénom (facultatif)").fill("Samira Alaoui")
    notice.wait_for(state="visible")
    assert "conserv" not in notice.inner_text()  # nothing is sent: nothing to keep or not
    page.get_by_label("E-mail").fill("samira@@example")
    page.get_by_label("Téléphone").fill("06 12")
    page.get_by_role("button", name="Envoyer ma contribution").click()
    # One round: the box, the address and the number, each with its one message.
    consent_error = page.locator("#consent_contact-error")
    consent_error.wait_for(state="visible")
    assert "effacez-les pour envoyer sans elles" in consent_error.inner_text()
    assert page.locator("#email-error").inner_text() == "Adresse e-mail non valide."
    assert page.locator("#phone-error").inner_text().startswith("Numéro de téléphone non valide")
    assert notice.is_hidden()  # the box's error says it: one message about the box
    box = page.locator(".contact")
    assert box.locator(".error, .notice.warn:visible, .hint:visible").count() == 3
    assert posts(live_server) == 0  # said on the phone, nothing sent
    screenshot(page, "form-contact-one-round")
    page.get_by_label("E-mail").fill("")
    page.get_by_label("Téléphone").fill("")
    page.get_by_label("J'accepte d'être recontacté(e)").check()
    assert notice.is_hidden()
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.locator("#done .reference").wait_for(state="visible")
    assert [r.person_name for r in stored(live_server)] == ["Samira Alaoui"]


def test_an_added_entry_can_be_removed(live_server, page) -> None:
    code = live_server.open_stop()
    page.goto(f"{live_server.url}/f/{code}")
    _fill(page, "Premier besoin.")
    needs = page.locator('fieldset[data-kind="need"]')
    assert needs.locator(".remove-entry").first.is_hidden()  # one box stays
    needs.locator(".add-entry").click()
    page.get_by_label("Besoin 2", exact=True).fill("Une erreur.")
    needs.locator(".add-entry").click()
    page.get_by_label("Besoin 3", exact=True).fill("Troisième besoin.")
    needs.locator(".entry").nth(1).get_by_role("button", name="Retirer cette entrée").click()
    assert needs.locator(".entry").count() == 2
    # renumbered: the third is now "Besoin 2"
    assert page.get_by_label("Besoin 2", exact=True).input_value() == "Troisième besoin."
    screenshot(page, "form-entry-removed")
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.locator("#done .reference").wait_for(state="visible")
    [row] = stored(live_server)
    assert [i.text for i in row.items] == ["Premier besoin.", "Troisième besoin."]


def test_without_javascript_add_returns_to_the_new_entry(live_server, browser) -> None:
    code = live_server.open_stop()
    context = browser.new_context(
        viewport=SIZES["phone"], locale="fr-FR", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/f/{code}")
        page.locator('fieldset[data-kind="proposal"] .add-entry').click()
        page.wait_for_load_state()
        assert page.url.endswith("#proposal-1-entry")
        box = page.get_by_label("Proposition 2", exact=True)
        assert page.evaluate("window.scrollY") > 300  # not back at the top
        top = box.bounding_box()["y"]
        assert 0 <= top <= SIZES["phone"]["height"], top
    finally:
        context.close()


# The lines (tops of the boxes) over which the phone example and what follows it are laid out.
EXAMPLE_LINES = """() => {
  const p = document.getElementById("phone-error");
  const node = [...p.childNodes].find((n) => n.nodeType === 3 && n.data.includes("78"));
  const start = node.data.indexOf("\\u2066"), end = node.data.indexOf(")", start) + 2;
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, Math.min(end, node.data.length));
  return new Set([...range.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top))).size;
}"""


@pytest.mark.parametrize("width", [320, 360])
def test_the_arabic_phone_example_stays_on_one_line(live_server, browser, width) -> None:
    code = live_server.open_stop()
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="ar")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/f/{code}?lang=ar")
        page.locator("#organisation").fill("رياض")
        page.locator("#category").select_option("hebergement")
        page.locator("textarea").first.fill("تكوين")
        page.locator("#consent_contact").check()
        page.locator("#phone").fill("12")
        page.locator("button.submit").click()
        page.locator("#phone-error").wait_for(state="visible")
        assert page.evaluate(EXAMPLE_LINES) == 1  # "06 12 34 56 78)." together, never split
        screenshot(page, f"form-phone-example-ar-{width}")
    finally:
        context.close()
