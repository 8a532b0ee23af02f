"""`make screenshots`: every page x language x width as a PNG, with an index page to browse them.

The pages, widths and languages are those of the layout test (tests/e2e/pages.py), on the same
seeded two-region world, served from a fresh SQLite database on a free port and photographed by
Debian's Chromium. Output: screenshots/ (git-ignored), opened at screenshots/index.html.

    python scripts/screenshots.py [--out DIR] [--width 360 --width 1366] [--language ar]
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedback_app import create_app  # noqa: E402
from feedback_app.extensions import db  # noqa: E402
from tests.catalogs import compile_catalogs, use_catalogs  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402
from tests.e2e.forms import sign_in  # noqa: E402
from tests.e2e.pages import HEIGHT, LANGUAGES, WIDTHS, Page, screens, seed  # noqa: E402

ROLES = {"anon": "Public", "hq": "Siège", "own": "Délégué·e"}


def _migrated(folder: Path) -> Path:
    from flask_migrate import upgrade

    path = folder / "template.sqlite"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _file(page: Page, language: str, width: int) -> str:
    return f"{page.name}-{language}-{width}.png"


def _index(pages: list[Page], languages: list[str], widths: list[int]) -> str:
    rows = []
    for page in pages:
        shots = "".join(
            f'<figure><a href="{_file(page, language, width)}"><img loading="lazy" '
            f'src="{_file(page, language, width)}" alt=""></a>'
            f"<figcaption>{language} · {width} px</figcaption></figure>"
            for language in languages
            for width in widths
        )
        title = f"{ROLES[page.role]} — {html.escape(page.path)} <small>({page.endpoint})</small>"
        rows.append(f"<section><h2>{title}</h2><div class=shots>{shots}</div></section>")
    return (
        "<!doctype html><meta charset=utf-8><title>Tournée — screenshots</title>"
        "<style>body{font-family:system-ui;margin:1rem}h2{font-size:1rem;margin:1.5rem 0 .4rem}"
        ".shots{display:flex;gap:.5rem;overflow-x:auto;align-items:flex-start}"
        "figure{margin:0;flex:none}img{width:160px;max-height:320px;object-fit:cover;"
        "object-position:top;border:1px solid #ccc}figcaption{font-size:.8rem}</style>"
        f"<h1>Tournée — {len(pages)} pages × {len(languages)} languages × {len(widths)} widths"
        "</h1>" + "".join(rows)
    )


def _photograph(server, world, pages: list[Page], languages, widths, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    host = server.url.split("//", 1)[1].split(":")[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        for role in ROLES:
            for language in languages:
                context = browser.new_context(locale="fr-FR")
                tab = context.new_page()
                if role != "anon":
                    sign_in(tab, server.url, world.emails[role])  # the French sign-in page
                cookie = {"name": "lang", "value": language, "domain": host, "path": "/"}
                context.add_cookies([cookie])
                for width in widths:
                    tab.set_viewport_size({"width": width, "height": HEIGHT[width]})
                    for page in (p for p in pages if p.role == role):
                        tab.goto(server.url + page.path)
                        target = out / _file(page, language, width)
                        tab.screenshot(path=str(target), full_page=True)
                context.close()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--width", type=int, action="append", choices=WIDTHS)
    parser.add_argument("--language", action="append", choices=LANGUAGES)
    args = parser.parse_args()
    widths, languages = args.width or list(WIDTHS), args.language or list(LANGUAGES)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (
            serve(_migrated(folder), folder) as server,
            use_catalogs(server.app, compile_catalogs(folder / "translations")),
        ):
            with server.app.app_context():
                world = seed(db.session)
                db.session.remove()
            pages = screens(world.ids)
            _photograph(server, world, pages, languages, widths, args.out)
    (args.out / "index.html").write_text(_index(pages, languages, widths), encoding="utf-8")
    count = len(pages) * len(languages) * len(widths)
    print(f"{count} screenshots in {time.monotonic() - started:.0f} s: {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
