"""A delegate imports a council's spreadsheet in a real browser: upload, preview, confirm."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.extensions import db
from feedback_app.models import StopStatus, Submission, SubmissionSource
from tests.e2e.conftest import screenshot
from tests.e2e.forms import sign_in
from tests.intake_files import HEADER_FR, csv_bytes
from tests.staff import add_stop, make_user


def test_delegate_imports_a_spreadsheet_after_its_preview(
    live_server, page, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        make_user(db.session, "delegue@example.ma", name="Nadia Tazi")
        stop = add_stop(db.session, status=StopStatus.CLOSED, venue="Palais")
        stop_id = stop.id
        db.session.remove()
    sheet = tmp_path / "crt-marrakech.csv"
    sheet.write_bytes(
        csv_bytes(
            [
                HEADER_FR[:4],
                ["Riad Dar Atlas", "Hébergement", "Besoin", "Former le personnel à l'anglais."],
                ["", "Hébergement", "Besoin", "Ligne sans organisation"],
                ["Sahara Tours", "Agence de voyages", "Défi", "La saisonnalité."],
            ],
            encoding="cp1252",
        )
    )
    sign_in(page, live_server.url, "delegue@example.ma")
    page.goto(f"{live_server.url}/hq/stops")
    page.get_by_role("link", name="Importer").click()
    page.get_by_label("Fichier rempli").set_input_files(str(sheet))
    page.get_by_role("button", name="Voir l'aperçu").click()

    expect(page.locator("#intake-counts")).to_contain_text("Valides : 2")
    expect(page.get_by_text("Organisation : Ce champ est obligatoire.")).to_be_visible()
    screenshot(page, "intake-preview")
    with live_server.app.app_context():
        assert db.session.scalar(select(Submission.id)) is None  # nothing before confirming
        db.session.remove()

    expect(page.locator("#intake-contributions")).to_contain_text("2 entrées, soit 2 contributions")
    page.get_by_role("button", name="Confirmer l'import de 2 entrées").click()
    expect(page.get_by_text("2 entrées enregistrées.").first).to_be_visible()
    page.get_by_role("link", name="Les voir dans les contributions").click()
    expect(page.get_by_role("link", name="Sahara Tours")).to_be_visible()
    screenshot(page, "intake-imported-in-review")
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Submission.organisation, Submission.source, Submission.stop_id)
        ).all()
        db.session.remove()
    assert sorted(rows) == [
        ("Riad Dar Atlas", SubmissionSource.IMPORT, stop_id),
        ("Sahara Tours", SubmissionSource.IMPORT, stop_id),
    ]
