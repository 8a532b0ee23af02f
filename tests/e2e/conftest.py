"""Browser tests: the real app on a real port, driven by Debian's Chromium through Playwright.

Fixtures
- `live_server`: a fresh migrated SQLite database (a copy of the session template), the app
  served by werkzeug in a background thread on a free 127.0.0.1 port. Gives `.url`, `.app`
  (use `with live_server.app.app_context():` for direct database checks), `.requests` (every
  (method, path) the server received, to prove a page came from the service worker) and
  `.open_stop()` which creates an open stop and returns its code.
- `browser`: one headless Chromium per test session (`/usr/bin/chromium`; the tests skip with a
  clear reason when it is missing: `apt-get install -y chromium`).
- `context` / `page`: a fresh browser context per test on a 360x740 phone viewport; when a test
  fails its last screen is saved under test-artifacts/ (git-ignored). `screenshot(page, name)`
  saves one on purpose.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from feedback_app import create_app
from feedback_app.extensions import db
from tests.staff import add_stop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveServer:
    url: str
    app: Flask
    requests: list[tuple[str, str]] = field(default_factory=list)

    def open_stop(self, city: str = "Marrakech", region: str = "marrakech-safi") -> str:

        with self.app.app_context():
            stop = add_stop(db.session, city, region, venue="Salle A")
            code = stop.code
            db.session.remove()
        return code


class _RecordingApp:
    """WSGI wrapper that notes each request before the app sees it."""

    def __init__(self, app: Flask, log: list[tuple[str, str]]) -> None:
        self.app, self.log = app, log

    def __call__(self, environ, start_response):
        self.log.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return self.app(environ, start_response)


@contextlib.contextmanager
def serve(template: Path, folder: Path) -> Iterator[LiveServer]:
    """The app on a copy of the migrated `template` database, on a free port, until the end."""
    path = folder / "live.sqlite"
    shutil.copy(template, path)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "INSTANCE_TMP": str(folder),
        }
    )
    log: list[tuple[str, str]] = []
    server = make_server("127.0.0.1", 0, _RecordingApp(app, log), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, requests=log)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    with serve(sqlite_template, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("e2e: /usr/bin/chromium is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{_safe(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def context(browser, request: pytest.FixtureRequest):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    yield context
    if request.node.stash.get(_FAILED, False):
        for index, open_page in enumerate(context.pages):
            # A crashed page must not hide the test's own failure.
            with contextlib.suppress(Exception):
                screenshot(open_page, f"FAILED-{request.node.name}-{index}")
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
