"""The regional brief page printed by a real browser: one A4 page, even when full."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import select

from feedback_app.extensions import db
from feedback_app.models import FeedbackItem, Role, Theme
from feedback_app.models import SubmissionSource as Source
from feedback_app.services.access import EVERYTHING, scope_for
from feedback_app.services.capture.submissions import submit
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import signoff
from tests.e2e.forms import sign_in
from tests.staff import add_stop, make_user

KINDS = ("need", "opportunity", "challenge", "proposal")
TEXT = (
    "Une contribution assez longue pour occuper deux lignes sur la page imprimée, comme "
    "celles que les professionnels écrivent vraiment pendant la réunion régionale. "
)


def _full_region(live_server) -> None:
    with live_server.app.app_context():
        session = db.session
        delegate = make_user(session, "delegue@example.ma", name="Nadia Tazi")
        make_user(session, "siege@example.ma", role=Role.HQ, name="Siège")
        themes = list(session.scalars(select(Theme.code).where(Theme.retired.is_(False))))
        for day, city in enumerate(("Marrakech", "Safi", "Essaouira"), start=1):
            stop = add_stop(session, city, date=dt.date(2025, 1, day))
            for n in range(12):
                submit(
                    session,
                    stop.code,
                    {
                        "client_id": str(uuid.uuid4()),
                        "organisation": f"Org {city} {n}",
                        "category": "hebergement",
                        "items": [
                            {"kind": kind, "text": TEXT * 2, "theme": themes[n % 6]}
                            for kind in KINDS
                        ],
                    },
                    source=Source.API,
                )
            signoff.sign_off(
                session,
                scope_for(delegate),
                stop.id,
                ("Synthèse longue. " * 90),
                actor_id=delegate.id,
            )
        for item in session.scalars(select(FeedbackItem)).all()[:60]:
            review_actions.update_item(
                session,
                EVERYTHING,
                item.submission_id,
                item.id,
                kind=item.kind,
                theme_id=item.theme_id,
                shortlisted=True,
                actor_id=None,
            )
        db.session.remove()


def test_a_full_brief_prints_on_one_a4_page(live_server, page) -> None:
    _full_region(live_server)
    sign_in(page, live_server.url, "siege@example.ma")
    for language in ("fr", "ar"):
        page.goto(f"{live_server.url}/review/brief?region=marrakech-safi&lang={language}")
        assert page.locator(".brief .shortlist li").count() == 24  # six of each kind
        pdf = page.pdf(format="A4", print_background=False)
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
        assert pages == 1, f"{language}: {pages} pages"
