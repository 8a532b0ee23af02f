"""The public follow-up page of a region on a 360 px phone, in French and in Arabic: nothing
sticks out of the screen, Arabic reads right to left, and the printed page drops the controls.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import (
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Milestone,
    ReviewStatus,
    Submission,
    SubmissionSource,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture.submissions import submit
from feedback_app.services.followup.commitments import (
    CommitmentInput,
    change_status,
    create_commitment,
)
from feedback_app.services.ideas import tallies as idea_tallies
from tests.catalogs import compile_catalogs, use_catalogs
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_arabic import OVERFLOWING

LONG_REASON = "Le marché de formation a été attribué après un appel d'offres ouvert " * 3


@pytest.fixture
def followup_world(live_server, tmp_path):
    code = live_server.open_stop(city="Marrakech")
    with live_server.app.app_context():
        session = db.session
        items = []
        for text in ("Former les guides aux langues", "Des cours de langues pour les guides"):
            receipt = submit(
                session,
                code,
                {
                    "client_id": str(uuid.uuid4()),
                    "organisation": "Hôtel Atlas",
                    "category": "hebergement",
                    "items": [{"kind": "proposal", "text": text}],
                },
                source=SubmissionSource.FORM,
            )
            with write_transaction(session):
                submission = session.get(Submission, receipt.id)
                submission.status = ReviewStatus.REVIEWED
                items.append(submission.items[0].id)
        with write_transaction(session):
            group = IdeaGroup(
                kind=ItemKind.PROPOSAL,
                title="Former les guides aux langues étrangères",
                title_locked=True,
                confirmed=True,
            )
            session.add(group)
            session.flush()
            session.add_all(
                IdeaGroupMember(item_id=i, group_id=group.id, pinned=True, closeness=1.0)
                for i in items
            )
            session.flush()
            idea_tallies.refresh(session, [group.id])  # as the curation that made it would
        commitment = create_commitment(
            session,
            EVERYTHING,
            CommitmentInput(
                title_fr="Former 200 guides aux langues étrangères d'ici fin 2027",
                title_ar="تكوين 200 مرشد سياحي في اللغات الأجنبية قبل نهاية 2027",
                description_fr="Un programme régional de formation, avec l'université.",
                description_ar="برنامج جهوي للتكوين بشراكة مع الجامعة.",
                owner="Conseil régional du tourisme Marrakech-Safi",
                region_slugs=["marrakech-safi"],
                group_ids=[group.id],
            ),
            actor_id=None,
        )
        with write_transaction(session):
            session.add(
                Milestone(
                    commitment_id=commitment.id,
                    due=dt.date(2027, 3, 1),
                    label_fr="Appel d'offres publié",
                    label_ar="نشر طلب العروض",
                    done=True,
                )
            )
        change_status(
            session,
            EVERYTHING,
            commitment.id,
            status="in_progress",
            progress=35,
            reason=LONG_REASON,
            actor_id=None,
        )
        db.session.remove()
    with use_catalogs(live_server.app, compile_catalogs(tmp_path / "translations")):
        yield


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_region_follow_up_at_360_px(live_server, followup_world, browser, language) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/suivi/marrakech-safi?lang={language}")
        html = page.locator("html")
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        title = "تكوين 200 مرشد" if language == "ar" else "Former 200 guides"
        assert page.get_by_text(title).count() >= 1
        # Heard (the title a person wrote), then under the commitment that answers it.
        assert page.get_by_text("Former les guides aux langues étrangères").count() == 2
        assert page.locator("progress").first.get_attribute("value") == "35"
        scroll = page.evaluate("document.documentElement.scrollWidth")
        client = page.evaluate("document.documentElement.clientWidth")
        out = page.evaluate(OVERFLOWING)
        assert scroll <= client and out == [], out
        if language == "ar":
            assert (
                page.locator(".followup h1").evaluate("el => getComputedStyle(el).direction")
                == "rtl"
            )
        screenshot(page, f"followup-{language}-360")
        page.emulate_media(media="print")
        assert not page.locator("form.reference-form").is_visible()
        assert page.locator("article.commitment").first.is_visible()
    finally:
        context.close()
