"""Staff in a real browser: a delegate reviews and shortlists; HQ downloads the workbook."""

from __future__ import annotations

import uuid
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from feedback_app.extensions import db
from feedback_app.models import FeedbackItem, ReviewNote, ReviewStatus, Role, Submission
from feedback_app.models import SubmissionSource as Source
from feedback_app.services.capture.submissions import submit
from tests.e2e.conftest import screenshot
from tests.e2e.forms import sign_in
from tests.staff import add_stop, make_user

PROPOSAL = "Créer une carte touristique régionale donnant accès aux musées."


def _seed(live_server) -> dict[str, int | str]:
    with live_server.app.app_context():
        session = db.session
        make_user(session, "delegue@example.ma", name="Nadia Tazi")
        make_user(session, "siege@example.ma", role=Role.HQ, name="Siège")
        stop = add_stop(session, venue="Palais des congrès")
        first = submit(
            session,
            stop.code,
            {
                "client_id": str(uuid.uuid4()),
                "organisation": "Riad Dar Atlas",
                "category": "hebergement",
                "items": [
                    {"kind": "need", "text": "Former le personnel en anglais."},
                    {"kind": "proposal", "text": PROPOSAL},
                ],
            },
            source=Source.FORM,
        )
        submit(
            session,
            stop.code,
            {
                "client_id": str(uuid.uuid4()),
                "organisation": "Sahara Tours",
                "category": "agence_voyages",
                "items": [{"kind": "challenge", "text": "La saisonnalité."}],
            },
            source=Source.API,
        )
        proposal = session.scalar(
            select(FeedbackItem.id).where(
                FeedbackItem.submission_id == first.id, FeedbackItem.kind == "proposal"
            )
        )
        ids = {"submission": first.id, "proposal": proposal, "reference": first.reference}
        db.session.remove()
    return ids


def workbook_cells(path: Path) -> list[str]:
    """Every filled cell of a downloaded workbook, as text."""
    workbook = load_workbook(path, read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    workbook.close()
    return cells


def test_delegate_reviews_and_shortlists(live_server, page) -> None:
    ids = _seed(live_server)
    sign_in(page, live_server.url, "delegue@example.ma")
    page.goto(f"{live_server.url}/review/")
    assert page.get_by_role("link", name="Sahara Tours").is_visible()

    page.get_by_role("link", name="Riad Dar Atlas").click()
    page.wait_for_url(f"**/review/submissions/{ids['submission']}")
    # Status, "Retenir" and a note changed on the page, then one save: none of it is lost.
    page.get_by_label("Examinée").check()
    item = page.locator(f"#item-{ids['proposal']}")
    assert PROPOSAL in item.inner_text()
    item.get_by_label("Retenir").check()
    page.get_by_label("Nouvelle note").fill("À rappeler pour la campagne de basse saison.")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Modifications enregistrées.").wait_for()
    assert "Retenue" in page.locator(f"#item-{ids['proposal']}").inner_text()
    screenshot(page, "delegate-reviewed-and-shortlisted")

    with live_server.app.app_context():
        submission = db.session.get(Submission, ids["submission"])
        assert submission.status is ReviewStatus.REVIEWED
        assert db.session.get(FeedbackItem, ids["proposal"]).shortlisted is True
        notes = db.session.scalars(
            select(ReviewNote.text).where(ReviewNote.submission_id == ids["submission"])
        ).all()
        assert notes == ["À rappeler pour la campagne de basse saison."]
        db.session.remove()


def test_hq_downloads_the_workbook(live_server, page, tmp_path: Path) -> None:
    _seed(live_server)
    sign_in(page, live_server.url, "siege@example.ma")
    page.goto(f"{live_server.url}/hq/exports")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger le classeur (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))

    cells = workbook_cells(path)
    assert any(PROPOSAL in cell for cell in cells)
    assert any("Riad Dar Atlas" in cell for cell in cells)
