"""Helpers for the browser tests of the stop form and its offline layer."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback_app.extensions import db
from feedback_app.models import Submission
from tests.staff import PASSWORD

API = "**/api/v1/stops/*/submissions"
QUEUED = "Enregistré sur ce téléphone, sera envoyé"


def eventually(page, script: str, timeout: float = 20.0) -> None:
    """Poll a script that may return a promise (wait_for_function would not await it)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {script}"
        page.wait_for_timeout(200)


def open_cached_form(page, live_server, path: str = "") -> str:
    """Open a new stop's form and wait until the service worker holds a copy of it."""
    code = live_server.open_stop()
    page.goto(f"{live_server.url}/f/{code}{path}")
    eventually(
        page,
        "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"
        ".then(ok => ok && caches.match(location.href)).then(hit => !!hit)",
    )
    return code


def fill(page, organisation: str, need: str, *, proposal: str | None = None) -> None:
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Catégorie professionnelle").select_option("hebergement")
    page.get_by_label("Besoin 1", exact=True).fill(need)
    if proposal:
        page.get_by_label("Proposition 1", exact=True).fill(proposal)


def submit(page) -> None:
    page.get_by_role("button", name="Envoyer ma contribution").click()


def stored(live_server) -> list[Submission]:
    with live_server.app.app_context():
        rows = db.session.scalars(
            select(Submission).options(selectinload(Submission.items)).order_by(Submission.id)
        ).all()
        db.session.expunge_all()
        db.session.remove()
    return list(rows)


def shown_references(page) -> list[str]:
    return [r.strip() for r in page.locator("#outbox-list .reference").all_inner_texts()]


def posts(live_server) -> int:
    return sum(
        1 for method, path in live_server.requests if method == "POST" and path.startswith("/api/")
    )


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a member of staff would."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/login" not in url)
