"""Paper and spreadsheet intake through the staff pages, the CLI and the tablet page."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from feedback_app.models import ImportBatch, Role, Submission, SubmissionSource
from feedback_app.services.capture.submissions import submit
from tests.conftest import valid_payload
from tests.intake_files import HEADER_FR, csv_bytes, fill_template
from tests.staff import REGION_A, REGION_B, csrf_for, make_user, session_for, signed_in

ROWS = [
    ["Riad Dar Atlas", "Hébergement", "Besoin", "Former le personnel à l'anglais."],
    ["", "Hébergement", "Besoin", "Sans organisation"],
    ["Agence Sahara", "Agence de voyages", "Proposition", "Un guichet unique."],
]


def _delegate(app, session, region: str = REGION_A):
    make_user(session, f"delegue.{region}@example.ma", regions=(region,))
    return session_for(app, session, f"delegue.{region}@example.ma")


def _upload(app, client, stop_id: int, data: bytes, name: str = "liste.csv"):
    return client.post(
        f"/hq/stops/{stop_id}/intake",
        data={
            "csrf_token": csrf_for(app, client),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _count(session) -> int:
    return session.scalar(select(func.count(Submission.id)))


def test_delegate_downloads_the_template_fills_it_and_imports(app, session, open_stop) -> None:
    client = _delegate(app, session)
    page = client.get("/hq/stops").get_data(as_text=True)
    assert f"/hq/stops/{open_stop.id}/intake" in page  # reached from the stop's row
    template = client.get(f"/hq/stops/{open_stop.id}/intake/template.xlsx?language=ar")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(template.data)).worksheets[0].sheet_view.rightToLeft
    filled = fill_template(template.data, [["Café", "Restauration", "Défi", "Saisonnalité"]])
    response = _upload(app, client, open_stop.id, filled, "rempli.xlsx")
    assert response.status_code == 302 and _count(session) == 0  # preview first
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saisonnalité" in preview and "Exemple ignoré" in preview
    confirm = re.search(r'action="([^"]+/confirm)"', preview).group(1)
    client.post(confirm, data={"csrf_token": csrf_for(app, client)})
    stored = session.scalar(select(Submission))
    assert stored.source is SubmissionSource.IMPORT
    assert stored.import_batch.file_name == "rempli.xlsx"
    assert stored.import_batch.user.email == "delegue.marrakech-safi@example.ma"


def test_preview_shows_each_row_then_a_double_confirm_stores_once(app, session, open_stop) -> None:
    client = _delegate(app, session)
    response = _upload(app, client, open_stop.id, csv_bytes([HEADER_FR[:4], *ROWS]))
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "Valides : 2" in page and "Erreurs : 1" in page
    assert "Organisation : Ce champ est obligatoire." in page
    token = csrf_for(app, client)
    first = client.post(f"{location}/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "2 entrées enregistrées." in first.get_data(as_text=True)
    second = client.post(f"{location}/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "déjà été confirmé" in second.get_data(as_text=True)
    assert _count(session) == 2
    # The same file again: previewed as duplicates, adds nothing.
    again = _upload(app, client, open_stop.id, csv_bytes([HEADER_FR[:4], *ROWS]))
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Doublons : 2" in page and "Confirmer" not in page


def test_hostile_or_oversized_file_error_next_to_the_field(app, session, open_stop) -> None:
    client = _delegate(app, session)
    response = _upload(app, client, open_stop.id, b"%PDF-1.7", "liste.xlsx")
    assert response.status_code == 422
    assert "pas un vrai classeur" in response.get_data(as_text=True)
    forged = client.post(
        f"/hq/stops/{open_stop.id}/intake",
        data={"file": (io.BytesIO(csv_bytes([HEADER_FR[:4], ROWS[0]])), "liste.csv")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400  # no CSRF token: refused like every other form post
    # Above the app-wide 1 MB body limit of the public form, within the intake's 10 MB.
    long_rows = [["Org", "Hébergement", "Besoin", "x" * 3900 + str(n)] for n in range(400)]
    accepted = _upload(app, client, open_stop.id, csv_bytes([HEADER_FR[:4], *long_rows]))
    assert accepted.status_code == 302
    app.config["INTAKE_MAX_BYTES"] = 1024 * 1024
    big = _upload(app, client, open_stop.id, b"a;b\n" * 600_000)
    assert big.status_code == 413
    assert 'id="file-error"' in big.get_data(as_text=True)
    assert "1 Mo au plus" in big.get_data(as_text=True)
    assert _count(session) == 0 and session.scalar(select(func.count(ImportBatch.id))) == 1


def test_a_delegate_of_another_region_gets_404(app, session, open_stop, make_stop) -> None:
    client = _delegate(app, session, REGION_B)
    assert client.get(f"/hq/stops/{open_stop.id}/intake").status_code == 404
    assert (
        _upload(app, client, open_stop.id, csv_bytes([HEADER_FR[:4], ROWS[0]])).status_code == 404
    )
    own = make_stop(region=REGION_B, city="Agadir")
    response = _upload(app, client, own.id, csv_bytes([HEADER_FR[:4], ROWS[0]]))
    batch = response.headers["Location"].rsplit("/", 1)[-1]
    # Region A's delegate may not see or confirm region B's batch, even through its own stop.
    other = _delegate(app, session, REGION_A)
    assert other.get(f"/hq/stops/{own.id}/intake/{batch}").status_code == 404
    assert other.get(f"/hq/stops/{open_stop.id}/intake/{batch}").status_code == 404


def test_review_desk_shows_and_filters_the_source(app, session, open_stop) -> None:
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = session_for(app, session, hq.email)
    submit(
        session,
        open_stop.code,
        valid_payload(organisation="Saisie Formulaire"),
        source=SubmissionSource.FORM,
    )
    response = _upload(
        app, client, open_stop.id, csv_bytes([HEADER_FR[:4], ROWS[0]]), "conseil.csv"
    )
    client.post(
        f"{response.headers['Location']}/confirm", data={"csrf_token": csrf_for(app, client)}
    )
    imported = client.get("/review/?source=import").get_data(as_text=True)
    assert "Riad Dar Atlas" in imported and "Saisie Formulaire" not in imported
    assert "Import de fichier" in imported
    forms = client.get("/review/?source=form").get_data(as_text=True)
    assert "Saisie Formulaire" in forms and "Riad Dar Atlas" not in forms
    stored = session.scalar(select(Submission).where(Submission.organisation == "Riad Dar Atlas"))
    detail = client.get(f"/review/submissions/{stored.id}").get_data(as_text=True)
    assert "conseil.csv" in detail and "importé par siege" in detail


def test_tablet_page_stores_source_tablet(app, session, open_stop) -> None:
    make_user(session, "delegue.tablette@example.ma")
    client = signed_in(app, "delegue.tablette@example.ma")
    page = client.get(f"/f/{open_stop.code}/tablet").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    api = re.search(r'data-api="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "channel=tablet" in action and "channel=tablet" in api
    response = client.post(
        api, json=valid_payload(organisation="Sur papier"), headers={"X-Tournee-Channel": "form"}
    )
    assert response.status_code == 201
    phone = client.post(
        f"/api/v1/stops/{open_stop.code}/submissions",
        json=valid_payload(organisation="Au téléphone"),
        headers={"X-Tournee-Channel": "form"},
    )
    assert phone.status_code == 201
    sources = dict(session.execute(select(Submission.organisation, Submission.source)).all())
    assert sources == {"Sur papier": SubmissionSource.TABLET, "Au téléphone": SubmissionSource.FORM}


def test_cli_template_and_import(app, session, open_stop, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "modele.xlsx"
    result = runner.invoke(
        args=["import", "template", "--stop", open_stop.code, "--out", str(out), "--language", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "Organisation / المؤسسة" in [
        c.value for c in openpyxl.load_workbook(out).worksheets[0][1]
    ]
    data = tmp_path / "liste.csv"
    data.write_bytes(csv_bytes([HEADER_FR[:4], *ROWS]))
    dry = runner.invoke(
        args=["import", "submissions", str(data), "--stop", open_stop.code, "--dry-run"]
    )
    assert dry.exit_code == 0 and "row 3: error" in dry.output and "valid: 2" in dry.output
    assert _count(session) == 0
    real = runner.invoke(args=["import", "submissions", str(data), "--stop", open_stop.code])
    assert real.exit_code == 0 and "stored: 2" in real.output and _count(session) == 2
    again = runner.invoke(args=["import", "submissions", str(data), "--stop", open_stop.code])
    assert again.exit_code == 1 and "duplicate: 2" in again.output and _count(session) == 2
    hostile = tmp_path / "macro.xlsx"
    hostile.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    refused = runner.invoke(args=["import", "submissions", str(hostile), "--stop", open_stop.code])
    assert refused.exit_code == 2 and "mot de passe" in refused.output


def test_the_workbook_says_where_each_entry_came_from(app, session, open_stop) -> None:
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
    from tests.test_export import _export

    submit(
        session,
        open_stop.code,
        valid_payload(organisation="Par tablette"),
        source=SubmissionSource.TABLET,
    )
    preview = build_preview(session, open_stop, csv_bytes([HEADER_FR[:4], ROWS[0]]), "a.csv")
    commit_batch(session, EVERYTHING, save_preview(session, preview, user_id=None), actor_id=None)
    exported = _export(app, session, EVERYTHING)
    sheet = openpyxl.load_workbook(exported.path)["Marrakech-Safi"]
    header = [c.value for c in sheet[1]]
    column = header.index("Provenance")
    by_organisation = {row[2]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_organisation == {
        "Par tablette": "Tablette (saisie papier)",
        "Riad Dar Atlas": "Import de fichier",
    }


def test_the_preview_shows_the_filing_and_names_a_bad_choice(app, session, open_stop) -> None:
    client = _delegate(app, session)
    header = [*HEADER_FR[:4], "Thème"]
    rows = [
        [
            "Riad Atlas",
            "Hébergement",
            "Besoin",
            "Former aux langues.",
            "Formation et ressources humaines",
        ],
        ["Café Nomade", "Gastronomie", "Défi", "La saisonnalité.", ""],
    ]
    response = _upload(app, client, open_stop.id, csv_bytes([header, *rows]))
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    # What each row will be filed under, before anything is stored.
    for shown in ("Hébergement", "Besoin", "Formation et ressources humaines", "Défi"):
        assert f'<td dir="auto">{shown}</td>' in page, shown
    # The bad value and the allowed ones, not just "Choix non valide."
    assert "« Gastronomie » n'est pas dans la liste. Choix possibles :" in page
    assert "Restauration" in page.split("Gastronomie » n'est pas dans la liste")[1][:2000]
    assert "Choix non valide." not in page
