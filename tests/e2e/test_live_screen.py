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


THEMES = (
    "formation-rh",
    "financement-investissement",
    "diversification-offre",
    "connectivite-aerienne",
    "promotion-marketing",
    "evenementiel",
)
# Long enough to wrap: the longest idea titles a screen shows (a stop's own wording).
IDEAS = (
    "Former les guides touristiques aux langues étrangères avant la haute saison",
    "Des vols directs vers les capitales européennes toute l'année",
    "Un guichet unique pour les autorisations des maisons d'hôtes",
    "Mieux signaler les sites touristiques sur les routes de la région",
    "Des formations au numérique pour les petites agences de voyage",
)

# The page's panels that must be on the screen, and the smallest font-size of its text.
PANELS = """() => {
  const box = (sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || !el.getClientRects().length) continue;
    if (el.closest(".skip-link, noscript, script, style, template")) continue;
    sizes.push([parseFloat(getComputedStyle(el).fontSize), node.data.trim().slice(0, 30)]);
  }
  sizes.sort((a, b) => a[0] - b[0]);
  return {
    panels: Object.fromEntries(["[data-panel=figures]", "[data-list=kinds]",
      "[data-panel=themes]", "[data-panel=ideas]", "[data-panel=texts]",
      ".site-footer"].map((s) => [s, box(s)])),
    smallest: sizes[0], scrollHeight: document.documentElement.scrollHeight,
    width: innerWidth, height: innerHeight,
  };
}"""


def _fill(live_server, code: str, stop_id: int) -> None:
    """40 contributions: six themes, five ideas said three times each (unreviewed allowed)."""
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.ideas.groups import regroup
    from feedback_app.services.synthesis import live

    with live_server.app.app_context():
        for n in range(40):
            idea = IDEAS[n % len(IDEAS)] if n < 15 else f"Remarque numéro {n} sur l'accueil."
            submit(
                db.session,
                code,
                {
                    "client_id": str(uuid.uuid4()),
                    "organisation": f"Organisation {n}",
                    "category": "hebergement",
                    "items": [
                        {"kind": "need", "text": idea, "theme": THEMES[n % len(THEMES)]},
                    ],
                },
                source=Source.API,
            )
        regroup(db.session)
        live.set_live_unreviewed(db.session, EVERYTHING, stop_id, True, actor_id=None)
        db.session.remove()


def _fits(page, width: int, height: int) -> dict:
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(100)
    measured = page.evaluate(PANELS)
    for name, (left, top, right, bottom) in measured["panels"].items():
        assert left >= 0 and top >= 0, (width, name, measured["panels"][name])
        assert right <= width and bottom <= height, (width, name, measured["panels"][name])
    assert measured["scrollHeight"] <= height, (width, measured["scrollHeight"])
    # The README's minimum: 3 % of the screen's height (32.4 px at 1080p, 21.6 px at 720p).
    size, text = measured["smallest"]
    assert size >= 0.03 * height - 0.1, (width, size, text)
    return measured


def test_the_live_screen_fits_one_16_9_screen_in_type_read_from_10_m(live_server, page) -> None:
    with live_server.app.app_context():
        make_user(db.session, "siege@example.ma", role=Role.HQ, name="Siège")
        stop = add_stop(db.session, "El Kelaâ des Sraghna")
        stop_id, code = stop.id, stop.code
        db.session.remove()
    _fill(live_server, code, stop_id)
    sign_in(page, live_server.url, "siege@example.ma")
    page.goto(f"{live_server.url}/review/stops/{stop_id}/live")
    assert page.locator("[data-list=themes] li").count() == 5
    assert page.locator("[data-list=ideas] li").count() == 5
    for width, height in ((1920, 1080), (1280, 720)):
        _fits(page, width, height)
        screenshot(page, f"live-screen-{width}x{height}")
    # The texts turn over one at a time: one shown, and another one later.
    texts = page.locator("[data-list=texts] li")
    assert texts.count() > 1
    first = page.locator("[data-list=texts] li.shown").text_content()
    assert [texts.nth(i).is_visible() for i in range(texts.count())].count(True) == 1
    page.wait_for_function(
        "(first) => document.querySelector('[data-list=texts] li.shown').textContent !== first",
        arg=first,
        timeout=12_000,
    )


def test_with_nothing_reviewed_the_live_screen_says_why_its_lists_are_empty(
    live_server, page
) -> None:
    with live_server.app.app_context():
        make_user(db.session, "siege@example.ma", role=Role.HQ, name="Siège")
        stop = add_stop(db.session)
        stop_id, code = stop.id, stop.code
        db.session.remove()
    sign_in(page, live_server.url, "siege@example.ma")
    page.goto(f"{live_server.url}/review/stops/{stop_id}/live")
    assert "Pas encore de contribution pour cette étape." in page.locator("#live").inner_text()
    for n in range(3):  # the same idea three times, without theme; nobody reviewed anything
        with live_server.app.app_context():
            submit(
                db.session,
                code,
                {
                    "client_id": str(uuid.uuid4()),
                    "organisation": f"Riad {n}",
                    "category": "hebergement",
                    "items": [{"kind": "need", "text": IDEAS[0]}],
                },
                source=Source.API,
            )
            if n == 2:
                from feedback_app.services.ideas.groups import regroup

                regroup(db.session)
            db.session.remove()
    ideas = page.locator("[data-list=ideas]")
    # Refreshed by the script without a reload: the reasons follow the figures.
    expect(ideas).to_contain_text("1 idée revient déjà", timeout=15_000)
    expect(ideas).to_contain_text("relu son titre")
    assert "Pas encore de données" not in page.content()
    themes = page.locator("[data-list=themes]").inner_text()
    assert "Aucun thème pour l'instant" in themes
    assert (
        "Les textes s'affichent ici une fois retenus"
        in page.locator("[data-list=texts]").inner_text()
    )
    _fits(page, 1280, 720)
    screenshot(page, "live-screen-empty-1280x720")
