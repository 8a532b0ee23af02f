"""The Excel synthesis: what it holds, that nothing in it can run, the cache and the CLI.

Every workbook is read back with openpyxl and with pandas, and its XML is searched for
formulas.
"""

from __future__ import annotations

import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from feedback_app.database import write_transaction
from feedback_app.models import (
    AuditEvent,
    ExportArtifact,
    FeedbackItem,
    Region,
)
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.export import build, plan, store
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.ideas.groups import refresh_for_export
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.export_world import (
    ARABIC_TEXT,
    CONTROL_TEXT,
    INJECTIONS,
    SOUSS_MASSA_SHEETS,
    build_tour,
    mark_spam,
)
from tests.libreoffice import needs_libreoffice, print_to_pdf

REGION_HEADERS = [
    "Date",
    "Étape (ville)",
    "Organisation",
    "Catégorie",
    "Type",
    "Thème",
    "Texte",
    "Priorité",
    "Statut",
    "Retenue",
    "Référence",
    "Groupe",
    "Provenance",
    "Nom",
    "Fonction",
    "E-mail",
    "Téléphone",
]


@dataclass(frozen=True)
class Exported:
    id: int
    path: Path  # the stored bytes, written out to be read back
    filename: str
    items: int
    cached: bool


def _export(app, session, scope: Scope = EVERYTHING, **options) -> Exported:
    filters = options.pop("filters", SynthesisFilters())
    request = ExportRequest(filters=filters, **options)
    # As the worker does before a build.
    refresh_for_export(session, full_interval=app.config["REGROUP_FULL_INTERVAL_SECONDS"])
    stored = export_workbook(
        session, scope, request, actor_id=None, generated_by="Test <test@example.ma>"
    )
    path = Path(app.config["INSTANCE_TMP"]) / f"export-{stored.id}.xlsx"
    path.write_bytes(session.get_one(ExportArtifact, stored.id).content)
    session.rollback()
    return Exported(stored.id, path, stored.filename, stored.items, stored.cached)


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


def _official_names(session) -> list[str]:
    return list(session.scalars(select(Region.name_fr).order_by(Region.position)))


def test_workbook_sheets_tables_figures_and_chart(app, session) -> None:
    build_tour(session)
    result = _export(app, session)
    assert result.filename == "synthese-tournee-2025-toutes-regions.xlsx"
    assert (result.items, result.cached) == (19, False)

    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == [
        "Synthèse",
        "Idées récurrentes",
        "Carte des idées",
        *_official_names(session),
        "Éléments retenus",
        "Engagements",
        *(f"Bilan {n}"[:31] for n in _official_names(session)),
        "À propos",
    ]
    marrakech = book["Marrakech-Safi"]
    assert [c.value for c in marrakech[1]] == REGION_HEADERS
    assert marrakech.freeze_panes == "A2"
    (table,) = marrakech.tables.values()
    assert table.ref == "A1:Q7"  # header and six items: a real table with filter buttons
    assert table.autoFilter.ref == "A1:Q7"
    assert len(book["Synthèse"]._charts) == 1

    frames = pd.read_excel(result.path, sheet_name=None, engine="calamine")
    counts = {name: len(frame) for name, frame in frames.items()}
    assert counts["Marrakech-Safi"] == 6
    assert counts["Souss-Massa"] == 2 + len(INJECTIONS)
    assert counts["Drâa-Tafilalet"] == 0 and counts["L'Oriental"] == 0  # empty, still there
    assert list(frames["Souss-Massa"].columns) == REGION_HEADERS
    retained = [
        r
        for r in book["Éléments retenus"].iter_rows(values_only=True)
        if r[0] in {"Marrakech-Safi", "Souss-Massa"}
    ]
    assert len(retained) == 2

    # The regions table of the Synthèse sheet, and its totals row, match the database.
    rows = list(book["Synthèse"].iter_rows(values_only=True))
    header = rows.index(
        (
            "Région",
            "Étapes tenues",
            "Contributions",
            "Besoins",
            "Opportunités",
            "Défis",
            "Propositions",
            "Éléments retenus",
            *[None] * (len(rows[0]) - 8),
        )
    )
    by_region = {r[0]: r[1:8] for r in rows[header + 1 : header + 14]}
    assert by_region["Marrakech-Safi"] == (2, 2, 2, 1, 1, 2, 1)
    assert by_region["Total"] == (3, 4, 3, 1, 1 + len(INJECTIONS), 3, 2)
    with zipfile.ZipFile(result.path) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
        assert "<c:barChart>" in archive.read("xl/charts/chart1.xml").decode()


def test_contents_of_a_region_sheet(app, session) -> None:
    build_tour(session)
    book = openpyxl.load_workbook(_export(app, session).path)
    rows = list(book["Marrakech-Safi"].iter_rows(min_row=2, values_only=True))
    first = dict(zip(REGION_HEADERS, rows[0], strict=True))
    assert first["Étape (ville)"] == "Marrakech"
    assert first["Date"].date().isoformat() == "2025-01-10"
    assert (first["Catégorie"], first["Type"], first["Thème"], first["Priorité"]) == (
        "Hébergement",
        "Besoin",
        "Formation et ressources humaines",
        "Haute",
    )
    assert first["Nom"] == "Fatima Consentante"  # consented contact
    texts = [r[6] for r in rows]
    assert not any("SPAM" in str(t) for t in texts)  # spam is never exported
    by_text = {r[6]: r for r in rows}
    assert by_text["Une plateforme régionale de réservation."][9] == "Oui"
    assert first["Provenance"] == "Formulaire"  # where the entry came from
    # No consent: no name even though one was typed.
    assert by_text[ARABIC_TEXT][REGION_HEADERS.index("Nom")] is None
    arabic = next(c for c in book["Marrakech-Safi"]["G"] if c.value == ARABIC_TEXT)
    assert arabic.alignment.readingOrder == 2  # Arabic reads right to left in its cell
    latin = book["Marrakech-Safi"]["G2"]
    assert latin.alignment.readingOrder in (0, None)


def test_no_formula_can_exist_whatever_the_text(app, session) -> None:
    build_tour(session)
    result = _export(app, session)
    for name, xml in _sheet_xml(result.path).items():
        assert "<f>" not in xml and "<f " not in xml, f"a formula in {name}"
    book = openpyxl.load_workbook(result.path)
    sheet = book["Souss-Massa"]
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row if c.value}
    for payload in INJECTIONS:
        # A carriage return is stored as Excel's escape _x000D_ (openpyxl leaves it as is).
        cell = next(
            (c for v, c in cells.items() if str(v).replace("_x000D_", "\r") == payload), None
        )
        assert cell is not None, f"{payload!r} missing"
        assert cell.data_type == "s"  # text, shown as typed
        assert cell.quotePrefix, f"{payload!r} would turn into a formula once edited"
    organisation = next(c for c in sheet["C"] if c.value == "=1+1")
    assert organisation.data_type == "s" and organisation.quotePrefix
    assert next(c for c in sheet["N"] if c.value == "@SUM(A1)").quotePrefix
    plain = next(c for c in sheet["C"] if c.value == "Restaurant Dar Tajine")
    assert not plain.quotePrefix
    frame = pd.read_excel(result.path, sheet_name="Souss-Massa", engine="calamine")
    assert "=1+1" in set(frame["Organisation"])


def test_control_characters_and_huge_text_never_fail_an_export(app, session) -> None:
    tour = build_tour(session)
    with write_transaction(session):
        session.execute(
            update(FeedbackItem)
            .where(
                FeedbackItem.submission_id == tour.submissions["m1"],
                FeedbackItem.kind == "challenge",
            )
            .values(text="x" * 40_000)
        )
    result = _export(app, session)
    book = openpyxl.load_workbook(result.path)
    texts = {c.value for c in book["Souss-Massa"]["G"]}
    assert "AvantAprès" in texts and CONTROL_TEXT not in texts
    longest = max((c.value for c in book["Marrakech-Safi"]["G"] if c.value), key=len)
    assert len(longest) == 32_767


def test_delegate_export_holds_only_their_regions(app, session) -> None:
    build_tour(session)
    region_id = session.scalar(select(Region.id).where(Region.slug == "souss-massa"))
    result = _export(app, session, Scope(user_id=42, region_ids=frozenset({region_id})))
    assert result.filename == "synthese-tournee-2025-souss-massa.xlsx"
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == SOUSS_MASSA_SHEETS
    everything = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    assert "Marrakech" not in everything and "Riad Dar Atlas" not in everything


def test_filters_are_printed_and_regions_kept_even_when_empty(app, session) -> None:
    build_tour(session)
    filters = SynthesisFilters(
        region_slugs=("draa-tafilalet", "marrakech-safi"), statuses=("reviewed",)
    )
    result = _export(app, session, filters=filters, include_contacts=False)
    assert result.filename == "synthese-tournee-2025-marrakech-safi-draa-tafilalet.xlsx"
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames[3:5] == ["Marrakech-Safi", "Drâa-Tafilalet"]
    assert [c.value for c in book["Marrakech-Safi"][1]] == REGION_HEADERS[:13]  # no contacts
    assert book["Drâa-Tafilalet"].max_row <= 2  # empty, still there so that the gap shows
    summary = {r[0]: r[1] for r in book["Synthèse"].iter_rows(values_only=True) if r[0]}
    assert summary["Régions"] == "Marrakech-Safi et Drâa-Tafilalet"
    assert summary["Statut"] == "Examinée"


def test_arabic_and_english_workbooks(app, session) -> None:
    build_tour(session)
    arabic = openpyxl.load_workbook(_export(app, session, language="ar").path)
    assert arabic.sheetnames[0] == "الخلاصة" and arabic.sheetnames[-1] == "حول المصنف"
    assert all(ws.sheet_view.rightToLeft for ws in arabic)
    english = openpyxl.load_workbook(_export(app, session, language="en").path)
    assert english.sheetnames[0] == "Summary"
    name_en = session.scalar(select(Region.name_en).where(Region.slug == "marrakech-safi"))
    assert [c.value for c in english[name_en][1]][:3] == ["Date", "Stop (city)", "Organisation"]


def test_unchanged_data_is_served_from_the_cache_until_a_review_changes_it(app, session) -> None:
    tour = build_tour(session)
    first = _export(app, session)
    again = _export(app, session)
    assert again.cached and again.id == first.id
    assert (
        openpyxl.load_workbook(again.path).sheetnames
        == openpyxl.load_workbook(first.path).sheetnames
    )

    mark_spam(session, tour.submissions["m1"])
    changed = _export(app, session)
    assert not changed.cached
    # The stale workbook is replaced, not kept beside the new one.
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 1
    assert changed.items == first.items - 3

    with write_transaction(session):  # a shortlist change alone is enough too
        session.execute(
            update(FeedbackItem)
            .where(FeedbackItem.submission_id == tour.submissions["m2"])
            .values(shortlisted=True)
        )
    assert not _export(app, session).cached


def test_a_stored_workbook_is_the_file_built_whatever_the_chunks(app, session, monkeypatch) -> None:
    # On PostgreSQL the built file goes to the database in chunks (never read whole): a chunk
    # smaller than the file must give back the same bytes, the size recorded with them.
    build_tour(session)
    built: list[bytes] = []
    written = plan.written_workbook

    @contextmanager
    def keeping_a_copy(*args, **kwargs):
        with written(*args, **kwargs) as path:
            built.append(path.read_bytes())
            yield path

    monkeypatch.setattr(build, "written_workbook", keeping_a_copy)
    monkeypatch.setattr(store, "STORE_CHUNK", 4096)
    exported = _export(app, session)
    content = exported.path.read_bytes()
    assert len(built[0]) > 3 * 4096
    assert content == built[0]
    assert session.get_one(ExportArtifact, exported.id).size == len(content)
    assert openpyxl.load_workbook(exported.path).sheetnames[0] == "Synthèse"


def test_cli_export_xlsx(app, session, tmp_path) -> None:
    build_tour(session)
    out = tmp_path / "synthese.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "export",
            "xlsx",
            "--out",
            str(out),
            "--region",
            "souss-massa",
            "--since",
            "2025-01-01",
        ]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SOUSS_MASSA_SHEETS
    assert len(pd.read_excel(out, sheet_name="Souss-Massa", engine="calamine")) == 2 + len(
        INJECTIONS
    )
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx"))
    assert event is not None and event.user_id is None
    assert event.after["via"] == "cli" and event.after["regions"] == ["souss-massa"]

    bad = runner.invoke(args=["export", "xlsx", "--out", str(out), "--region", "atlantide"])
    assert bad.exit_code == 1 and "atlantide" in bad.output


@needs_libreoffice
@pytest.mark.slow
def test_the_workbook_opens_in_libreoffice(app, session, tmp_path) -> None:
    build_tour(session)
    result = _export(app, session, language="ar")
    pdf = print_to_pdf(result.path, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 5_000
