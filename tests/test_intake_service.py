"""Paper and spreadsheet intake, service level: reading, matching, preview, exactly once."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from feedback_app.database import write_transaction
from feedback_app.models import AuditEvent, ImportBatch, Submission, SubmissionSource
from feedback_app.models.search import fold, folded_organisation
from feedback_app.models.types import utcnow
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture.submissions import submit
from feedback_app.services.intake import batches
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.intake.refusal import FileRefused
from feedback_app.services.intake.template import build_template, template_headers
from tests.conftest import valid_payload
from tests.intake_files import (
    HEADER_FR,
    ODS_TRAILING_ROWS,
    csv_bytes,
    fill_template,
    ods_bytes,
    ods_cell_after,
    xlsx_bytes,
    xlsx_row_without_references,
    xlsx_with_flipped_crc,
)

ROW = ["Riad Dar Atlas", "Hébergement", "Besoin", "Former le personnel à l'anglais.", *[""] * 7]


def _import(session, stop, data: bytes, name: str = "liste.xlsx", **kwargs):
    preview = build_preview(session, stop, data, name, **kwargs)
    batch_id = save_preview(session, preview, user_id=None)
    return preview, commit_batch(session, EVERYTHING, batch_id, actor_id=None)


def _count(session) -> int:
    return session.scalar(select(func.count(Submission.id)))


def test_template_round_trip_stores_the_filled_rows(session, open_stop) -> None:
    template = build_template(session, open_stop, "fr")
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == template_headers("fr")
    assert "المؤسسة" in sheet["A1"].value  # French and Arabic headers
    assert len(book.worksheets) == 3 and book.worksheets[1].cell(1, 1).value.startswith("Étape")
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert len(validations) == 5  # category, kind, theme, priority, consent
    # The example row is plausible: language training filed under training.
    example = [c.value for c in sheet[2]]
    assert "Formation aux langues" in " ".join(map(str, example))
    assert "Formation et ressources humaines" in example and "Promotion et marketing" not in example
    filled = fill_template(
        template,
        [
            [
                "Riad Dar Atlas",
                "Hébergement",
                "Besoin",
                "Former à l'anglais.",
                "Formation et ressources humaines",
                "Haute",
                "Amina",
                "Gérante",
                "amina@example.ma",
                "0612345678",
                "oui",
            ],
            ["Agence Sahara", "Agence de voyages", "Proposition", "Un guichet unique.", *[""] * 7],
        ],
    )
    preview, result = _import(session, open_stop, filled)
    outcomes = [(r["status"], r["errors"]) for r in preview.rows]
    assert outcomes == [("example", [])] + [("valid", [])] * 2
    assert result.stored == 2 and result.first_time
    stored = session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [s.source for s in stored] == [SubmissionSource.IMPORT] * 2
    assert stored[0].email == "amina@example.ma" and stored[0].phone == "+212612345678"
    assert stored[0].items[0].priority.value == "high" and stored[0].items[0].theme is not None
    assert stored[0].import_batch.file_name == "liste.xlsx"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_templates_in_arabic_and_english_import_too(session, open_stop, language) -> None:
    template = build_template(session, open_stop, language)
    labels = {
        "ar": ["مقهى الساحة", "المطاعم", "تحدٍّ", "نقص اليد العاملة"],
        "en": ["Square Café", "Restaurants", "Challenge", "Staff shortage"],
    }[language]
    _, result = _import(session, open_stop, fill_template(template, [labels]), language=language)
    assert result.stored == 1
    assert session.scalar(select(Submission.category_code)) == "restauration"


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [
        ("utf-8", ";"),
        ("utf-8-sig", ","),
        ("cp1252", ";"),
        ("cp1252", ","),
    ],
)
def test_csv_in_utf8_or_windows_1252_with_either_separator(
    session, open_stop, encoding, separator
) -> None:
    data = csv_bytes(
        [HEADER_FR, ["Café Mérinides", "Restauration", "Défi", "Saisonnalité très marquée"]],
        separator=separator,
        encoding=encoding,
    )
    _, result = _import(session, open_stop, data, "liste.csv")
    assert result.stored == 1
    assert session.scalar(select(Submission.organisation)) == "Café Mérinides"


def test_libreoffice_s_million_trailing_empty_rows_are_fine(session, open_stop) -> None:
    data = ods_bytes([HEADER_FR[:4], ROW[:4]], more_rows=ODS_TRAILING_ROWS)
    _, result = _import(session, open_stop, data, "liste.ods")
    assert result.stored == 1


def test_ods_spreadsheets_are_read(session, open_stop) -> None:
    data = ods_bytes(
        [
            ["Nom de l'organisation", "Catégorie", "Type", "Texte"],
            ["Riad Ods", "Hébergement", "Opportunité", "Un circuit des riads."],
        ]
    )
    _, result = _import(session, open_stop, data, "liste.ods")
    assert result.stored == 1
    assert session.scalar(select(Submission.organisation)) == "Riad Ods"


def test_rows_stored_by_another_batch_meanwhile_are_duplicates_at_commit(
    session, open_stop
) -> None:
    data = csv_bytes([HEADER_FR, ROW[:4], ["Agence", "Hébergement", "Besoin", "Autre chose"]])
    first = save_preview(session, build_preview(session, open_stop, data, "a.csv"), user_id=None)
    second = save_preview(session, build_preview(session, open_stop, data, "b.csv"), user_id=None)
    assert commit_batch(session, EVERYTHING, first, actor_id=None).stored == 2
    late = commit_batch(session, EVERYTHING, second, actor_id=None)
    assert (late.stored, late.duplicates) == (0, 2) and _count(session) == 2


def test_headers_match_in_three_languages_any_case_accents_or_spacing(session, open_stop) -> None:
    data = csv_bytes(
        [
            [
                "  ORGANISATION ",
                "categorie",
                "النوع",
                "Text",
                "THEME",
                "priorite",
                "E-MAIL",
                "consent",
            ],
            [
                "Hôtel Atlas",
                "hebergement",
                "need",
                "Une navette depuis l'aéroport.",
                "",
                "low",
                "x@example.ma",
                "non",
            ],
        ]
    )
    preview, result = _import(session, open_stop, data, "liste.csv")
    assert result.stored == 1
    # No consent: the e-mail is dropped, and the preview says so.
    assert preview.rows[0]["notes"] and session.scalar(select(Submission.email)) is None


def test_preview_reports_errors_by_row_and_column_and_stores_nothing(session, open_stop) -> None:
    data = csv_bytes(
        [
            HEADER_FR,
            ["", "Hébergement", "Besoin", "Texte sans organisation"],
            ["Riad", "Inconnue", "Besoin", "Catégorie inconnue"],
            ["Riad", "Hébergement", "Besoin", "x" * 4001],
            ["Riad", "Hébergement", "Besoin", "Bon texte", "", "", "", "", "", "", "peut-être"],
        ]
    )
    preview = build_preview(session, open_stop, data, "liste.csv")
    assert [r["status"] for r in preview.rows] == ["error"] * 4
    assert [(r["row"], r["errors"][0]["column"]) for r in preview.rows] == [
        (2, "Organisation"),
        (3, "Catégorie"),
        (4, "Texte"),
        (5, "Consentement"),
    ]
    assert preview.rows[0]["errors"][0]["message"] == "Ce champ est obligatoire."
    arabic = build_preview(session, open_stop, data, "liste.csv", language="ar")
    assert arabic.rows[0]["errors"][0]["message"] != "Ce champ est obligatoire."
    assert _count(session) == 0


def test_duplicates_in_the_file_and_at_the_stop(session, open_stop) -> None:
    submit(
        session,
        open_stop.code,
        valid_payload(
            organisation="Riad Dar Atlas",
            items=[{"kind": "need", "text": "Former le personnel à l'anglais."}],
        ),
        source=SubmissionSource.FORM,
    )
    data = csv_bytes(
        [
            HEADER_FR,
            ROW[:4],
            ["Agence", "Hébergement", "Besoin", "Autre chose"],
            ["AGENCE ", "Hébergement", "Défi", "autre   CHOSE"],
        ]
    )
    preview, result = _import(session, open_stop, data, "liste.csv")
    assert [r["status"] for r in preview.rows] == ["duplicate", "valid", "duplicate"]
    assert result.stored == 1 and _count(session) == 2


def test_the_duplicate_check_reads_only_the_files_organisations_at_the_stop(
    session, open_stop, monkeypatch
) -> None:
    for n in range(12):  # other organisations' entries at the stop: never read
        submit(
            session,
            open_stop.code,
            valid_payload(organisation=f"Agence {n}", items=[{"kind": "need", "text": "Vols"}]),
            source=SubmissionSource.FORM,
        )
    submit(
        session,
        open_stop.code,
        valid_payload(
            organisation="Hôtel  Dar Atlas",
            items=[
                {"kind": "need", "text": "Former le personnel à l'anglais."},
                {"kind": "proposal", "text": "Un festival d'été."},
            ],
        ),
        source=SubmissionSource.FORM,
    )
    read: list[str] = []
    counted = batches.fingerprint

    def reading(stop_id: int, organisation: str, text: str) -> str:
        read.append(organisation)
        return counted(stop_id, organisation, text)

    monkeypatch.setattr(batches, "fingerprint", reading)
    typed_otherwise = [
        "HOTEL dar atlas ",
        "Hébergement",
        "Besoin",
        "former le personnel a l'anglais.",
    ]
    preview = build_preview(session, open_stop, csv_bytes([HEADER_FR, typed_otherwise]), "l.csv")
    assert [r["status"] for r in preview.rows] == ["duplicate"]
    assert read == ["Hôtel Dar Atlas"] * 2  # that organisation's two entries, nothing else


def test_every_way_in_stores_the_folded_organisation_the_duplicate_check_reads(
    session, open_stop
) -> None:
    from tests.export_world import add_submission

    submit(
        session,
        open_stop.code,
        valid_payload(organisation="Riad  L’Étoile"),
        source=SubmissionSource.FORM,
    )
    _import(session, open_stop, csv_bytes([HEADER_FR, ["ÉCOLE Œuvre", *ROW[1:4]]]), "l.csv")
    add_submission(session, open_stop.id, organisation="Café du Drâa")
    stored = session.execute(select(Submission.organisation, folded_organisation())).all()
    assert sorted(folded for _name, folded in stored) == [
        "cafe du draa",
        "ecole oeuvre",
        "riad l'etoile",
    ]
    assert all(folded == fold(name) for name, folded in stored)


def test_same_file_twice_or_same_rows_in_another_file_add_nothing(session, open_stop) -> None:
    data = csv_bytes([HEADER_FR, ROW[:4]])
    _import(session, open_stop, data, "a.csv")
    again, result = _import(session, open_stop, data, "a.csv")
    assert again.already_imported and result.stored == 0
    other = xlsx_bytes([HEADER_FR, ROW])
    _, result = _import(session, open_stop, other, "b.xlsx")
    assert result.stored == 0 and _count(session) == 1


def test_a_confirm_sent_twice_stores_once_and_is_audited(session, open_stop) -> None:
    preview = build_preview(session, open_stop, csv_bytes([HEADER_FR, ROW[:4]]), "a.csv")
    batch_id = save_preview(session, preview, user_id=None)
    assert _count(session) == 0  # nothing stored before the confirmation
    first = commit_batch(session, EVERYTHING, batch_id, actor_id=None)
    second = commit_batch(session, EVERYTHING, batch_id, actor_id=None)
    assert (first.first_time, second.first_time) == (True, False)
    assert second.stored == 1 and _count(session) == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "import.commit"))
    assert event.after["file"] == "a.csv" and event.after["stored"] == 1
    assert session.get(ImportBatch, batch_id).status.value == "committed"


def test_an_unconfirmed_preview_does_not_outlive_a_day(session, open_stop) -> None:
    data = csv_bytes([HEADER_FR, ROW[:4]])
    stale = save_preview(session, build_preview(session, open_stop, data, "a.csv"), user_id=None)
    with write_transaction(session):
        session.get(ImportBatch, stale).created_at = utcnow() - dt.timedelta(days=2)
    fresh = save_preview(session, build_preview(session, open_stop, data, "a.csv"), user_id=None)
    left = session.scalars(select(ImportBatch.id)).all()
    assert left == [fresh]


def test_formulas_are_taken_as_text_never_evaluated(session, open_stop) -> None:
    data = xlsx_bytes([HEADER_FR, ["Riad", "Hébergement", "Besoin", "=1+1"]])
    _, result = _import(session, open_stop, data)
    assert result.stored == 1
    assert session.scalar(select(Submission).where(Submission.id > 0)).items[0].text == "=1+1"


def test_control_characters_are_removed(session, open_stop) -> None:
    data = csv_bytes([HEADER_FR, ["Ri\x07ad\x0b", "Hébergement", "Besoin", "Texte\x1b ok"]])
    _import(session, open_stop, data, "a.csv")
    assert session.scalar(select(Submission.organisation)) == "Riad"


def _zip_bomb() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 50_000_000 + b"/>")
    return buffer.getvalue()


def _macro_workbook() -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER_FR, ROW])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            archive.writestr(member, source.read(member.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 100)
    return buffer.getvalue()


HOSTILE = {
    "pdf renamed": ("liste.xlsx", b"%PDF-1.7 not a workbook"),
    "zip that is not a workbook": ("liste.xlsx", b"PK\x03\x04" + b"\x00" * 100),
    "csv that is a zip": ("liste.csv", xlsx_bytes([HEADER_FR, ROW])),
    "password protected (OLE)": ("liste.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "macro enabled": ("liste.xlsx", _macro_workbook()),
    "xlsm extension": ("liste.xlsm", xlsx_bytes([HEADER_FR, ROW])),
    "zip bomb": ("liste.xlsx", _zip_bomb()),
    "executable": ("liste.exe", b"MZ\x90\x00"),
    "empty": ("liste.csv", b""),
    "no required columns": ("liste.csv", csv_bytes([["a", "b"], ["1", "2"]])),
    "CRC flipped in the styles": ("liste.xlsx", xlsx_with_flipped_crc("xl/styles.xml")),
    "cells without references past the columns": ("liste.xlsx", xlsx_row_without_references(65)),
    "ods cell after a million empty rows": (
        "liste.ods",
        ods_bytes([HEADER_FR[:4], ROW[:4]], more_rows=ods_cell_after(1_000_000, 1)),
    ),
    "ods cell past the columns": (
        "liste.ods",
        ods_bytes([HEADER_FR[:4], ROW[:4]], more_rows=ods_cell_after(1, 64)),
    ),
    "csv of ten million blank lines": ("liste.csv", csv_bytes([HEADER_FR[:4]]) + b"\n" * 10**7),
    "csv of a single 10 MB field": ("liste.csv", b'"' + b"x" * (10 * 1024 * 1024 - 2) + b'"'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_get_a_clear_error_and_store_nothing(session, open_stop, case) -> None:
    name, data = HOSTILE[case]
    with pytest.raises(FileRefused) as refused:
        build_preview(session, open_stop, data, name)
    assert str(refused.value.message)
    assert _count(session) == 0 and session.scalar(select(func.count(ImportBatch.id))) == 0


def test_size_and_row_limits(session, open_stop) -> None:
    data = csv_bytes(
        [HEADER_FR] + [[f"Org {i}", "Hébergement", "Besoin", f"T {i}"] for i in range(11)]
    )
    with pytest.raises(FileRefused, match="lignes"):
        build_preview(session, open_stop, data, "a.csv", max_rows=10)
    with pytest.raises(FileRefused, match="volumineux"):
        build_preview(session, open_stop, data, "a.csv", max_bytes=100)
    assert len(build_preview(session, open_stop, data, "a.csv", max_rows=11).rows) == 11
