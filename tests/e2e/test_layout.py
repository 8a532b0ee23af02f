"""Every page fits its screen: staff and public pages, French and Arabic, phone to 1080p.

For each width the pages of tests/e2e/pages.py are visited in a loop (one server and one browser
for the module, one signed-in context per visitor and language) and each must:
- be no wider than the window (nothing scrolls sideways, an Arabic page does not open scrolled);
- keep every link and button within the window's width (no action in a hidden scrolling area);
- not split a button's word over two lines ("Recherche / r");
- have nothing sticky or fixed lying over a form control when it opens.
All failures of one width are reported together, each naming the page, visitor and language.
"""

from __future__ import annotations

import pytest

from feedback_app.extensions import db
from tests.catalogs import compile_catalogs, use_catalogs
from tests.e2e.conftest import CHROMIUM, serve
from tests.e2e.forms import sign_in
from tests.e2e.pages import HEIGHT, LANGUAGES, MEASURE, WIDTHS, problems, screens, seed

# The five widths on one worker (`--dist loadgroup`): the site, its seed and the signed-in
# contexts are made once (8-27 s a worker under the suite's load), not once per width.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("layout")]


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    with (
        serve(sqlite_template, folder) as server,
        use_catalogs(server.app, compile_catalogs(folder / "translations")),
    ):
        with server.app.app_context():
            world = seed(db.session)
            db.session.remove()
        yield server, world


@pytest.fixture(scope="module")
def visitors(site, browser):
    """One browser context per (visitor, language), signed in once."""
    if not CHROMIUM.exists():
        pytest.skip("e2e: /usr/bin/chromium is missing")
    server, world = site
    host = server.url.split("//", 1)[1].split(":")[0]
    contexts = {}
    for role in ("anon", "hq", "own"):
        for language in LANGUAGES:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
            page = context.new_page()
            if role != "anon":
                sign_in(page, server.url, world.emails[role])  # the French sign-in page
            context.add_cookies([{"name": "lang", "value": language, "domain": host, "path": "/"}])
            contexts[role, language] = page
    yield contexts
    for page in contexts.values():
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen(site, visitors, width: int) -> None:
    server, world = site
    pages = screens(world.ids)
    failures = []
    for language in LANGUAGES:
        for role in ("anon", "hq", "own"):
            tab = visitors[role, language]
            tab.set_viewport_size({"width": width, "height": HEIGHT[width]})
            for page in (p for p in pages if p.role == role):
                response = tab.goto(server.url + page.path)
                assert response and response.ok, f"{page.path} as {role}: {response}"
                assert tab.locator("html").get_attribute("lang") == language
                found = problems(tab.evaluate(MEASURE))
                if found:  # the first few distinct problems of the page say enough
                    shown = "; ".join(list(dict.fromkeys(found))[:3])
                    failures.append(f"{language} {role} {page.path} ({len(found)}): {shown}")
    assert len(pages) >= 30
    assert not failures, f"{len(failures)} layout problems at {width} px:\n" + "\n".join(failures)
