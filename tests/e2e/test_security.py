"""Stored script payloads never run in a staff page, and every page carries the CSP.

Hostile text goes into every field a person can type: the respondent's organisation, job title,
name and item texts, a delegate's note, and what staff type themselves (stop city and venue,
theme names, a user's name). HQ then signs in through the login page and walks every staff page
that shows them. The browser listens for dialogs (alert), uncaught page errors and console
errors: an unescaped payload would either run (a dialog) or be blocked by the CSP (a console
error saying so), so both count as a failure.
"""

from __future__ import annotations

import uuid

import pytest

from feedback_app.extensions import db
from feedback_app.models import Role, SubmissionSource
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture.submissions import submit
from feedback_app.services.review import actions as review_actions
from feedback_app.services.tour.themes import add_theme
from tests.e2e.forms import sign_in
from tests.staff import add_stop, make_user

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    '\'><iframe srcdoc="<script>parent.alert(4)</script>">',
    "javascript:alert(5)",
]
HOSTILE = " ".join(PAYLOADS)
CSP_REQUIRED = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
]


def _seed(live_server) -> dict[str, object]:
    with live_server.app.app_context():
        session = db.session
        hq = make_user(session, "siege@example.ma", role=Role.HQ, name=f"Siège {HOSTILE}")
        make_user(session, "delegue@example.ma", name=f"Délégué {PAYLOADS[1]}")
        stop = add_stop(session, f"Marrakech {PAYLOADS[0]}", venue=f"Salle {PAYLOADS[1]}")
        theme = add_theme(
            session,
            actor_id=hq.id,
            names={
                "name_fr": f"Thème {PAYLOADS[2]}",
                "name_ar": "موضوع",
                "name_en": f"Theme {PAYLOADS[0]}",
            },
        )
        receipt = submit(
            session,
            stop.code,
            {
                "client_id": str(uuid.uuid4()),
                "organisation": f"Org {PAYLOADS[0]}"[:200],
                "category": "hebergement",
                "job_title": f"Dir {PAYLOADS[1]}"[:120],
                "consent_contact": True,
                "name": f"Nom {PAYLOADS[2]}"[:120],
                "email": "xss.test@example.ma",
                "phone": "0612345678",
                "items": [
                    {"kind": kind, "text": f"{kind} {HOSTILE}", "theme": theme.code}
                    for kind in ("need", "opportunity", "challenge", "proposal")
                ],
            },
            source=SubmissionSource.FORM,
        )
        review_actions.add_note(session, EVERYTHING, receipt.id, f"Note {HOSTILE}", actor_id=hq.id)
        ids = {
            "submission": receipt.id,
            "stop": stop.id,
            "code": stop.code,
            "reference": receipt.reference,
            "theme": theme.id,
        }
        db.session.remove()
    return ids


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def console(message) -> None:
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            problems.append(f"console error: {message.text}")

    page.on("console", console)
    return problems


def _visit(page, url: str, seen: dict[str, str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    csp = response.headers.get("content-security-policy", "")
    for directive in CSP_REQUIRED:
        assert directive in csp, f"{url}: CSP lacks {directive!r}"
    page.wait_for_load_state("load")
    seen[url] = page.content()


@pytest.mark.parametrize("who", ["siege@example.ma", "delegue@example.ma"])
def test_stored_payloads_never_run_in_staff_pages(live_server, page, who) -> None:
    ids = _seed(live_server)
    problems = _watch(page)
    base = live_server.url
    sign_in(page, base, who)
    pages = [
        "/review/",
        f"/review/?q={uuid.uuid4().hex[:4]}",
        "/review/?q=script",
        f"/review/submissions/{ids['submission']}",
        "/hq/",
        "/hq/stops",
        f"/hq/stops/{ids['stop']}/poster",
        f"/hq/stops/{ids['stop']}/close",
        "/hq/exports",
        f"/f/{ids['code']}",
        f"/f/{ids['code']}/receipt/{ids['reference']}",
    ]
    if who.startswith("siege"):
        pages += [
            "/hq/users",
            "/hq/themes",
            f"/hq/themes/{ids['theme']}/edit",
            "/hq/audit",
            f"/hq/stops/{ids['stop']}/edit",
            "/hq/privacy",
        ]
    seen: dict[str, str] = {}
    for path in pages:
        _visit(page, base + path, seen)
    if who.startswith("siege"):
        # The privacy search shows the respondent's name: results page too.
        page.get_by_label("E-mail, téléphone ou nom").fill("xss.test@example.ma")
        page.get_by_role("button", name="Rechercher").click()
        page.wait_for_load_state("load")
        assert "xss.test@example.ma" in page.content()
    detail = seen[f"{base}/review/submissions/{ids['submission']}"]
    # The text is shown, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert not problems, "\n".join(problems)


def test_public_pages_carry_the_csp_and_run_no_inline_script(live_server, page) -> None:
    code = live_server.open_stop(city="Agadir")
    problems = _watch(page)
    seen: dict[str, str] = {}
    for path in ["/", f"/f/{code}", "/login"]:
        response = page.goto(live_server.url + path)
        assert response is not None
        csp = response.headers.get("content-security-policy", "")
        assert all(directive in csp for directive in CSP_REQUIRED), path
        seen[path] = page.content()
    assert not problems, "\n".join(problems)
