"""The workbook prints: every sheet has its page set-up, and LibreOffice prints each region
sheet one page wide, header row repeated, nothing clipped (run when LibreOffice is installed)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from feedback_app.exports import (
    IdeaGroupRow,
    ItemRow,
    RegionFigures,
    Synthesis,
    WorkbookData,
    build_workbook,
)
from feedback_app.exports.data import Quote
from feedback_app.labels import CODE_WORDS
from tests.libreoffice import needs_libreoffice, print_to_pdf

CRT = "Conseil régional du tourisme (CRT)"
LONG = (
    "Former les réceptionnistes et les guides aux langues étrangères, surtout l'anglais, "
    "l'espagnol et le chinois, avant la haute saison qui commence en mars. "
) * 2


def _data() -> WorkbookData:
    rows = [
        ItemRow(
            "souss-massa",
            dt.date(2025, 1, 24),
            "Agadir",
            f"Association n°{n} {CRT}",
            "crt",
            "need",
            None,
            LONG,
            "high",
            "reviewed",
            n % 3 == 0,
            f"SM-2025-{n:04d}-LONGREF",
            person_name="Fatima Ezzahra El Idrissi",
            job_title="Directrice commerciale",
            email="fatima.elidrissi@example.ma",
            phone="0612345678",
            group=7 if n % 2 else None,
        )
        for n in range(40)
    ]
    regions = (
        RegionFigures(
            "souss-massa", "Souss-Massa", stops_held=1, submissions=40, by_kind={"need": 40}
        ),
    )
    ideas = (
        IdeaGroupRow(
            7,
            "Former aux langues",
            "need",
            20,
            20,
            (CRT,),
            ("Souss-Massa",),
            ("Formation",),
            (Quote(LONG, "fr"), Quote(LONG + " ", "fr"), Quote(LONG + "  ", "fr")),
        ),
    )
    return WorkbookData(
        synthesis=Synthesis(
            regions=regions,
            categories=(("crt", CRT),),
            by_category={"souss-massa": {"crt": 40}},
            top_themes={},
        ),
        rows=iter(rows),
        generated_at=dt.datetime(2025, 2, 1, 9, 0),
        generated_by="Test",
        code_words=CODE_WORDS,
        ideas=ideas,
    )


def _xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            n: archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_every_sheet_has_its_print_setup_in_the_workbooks_language(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    build_workbook(_data(), path, language="en")
    sheets = _xml(path)
    assert len(sheets) == 7
    for name, xml in sheets.items():
        assert 'fitToWidth="1"' not in xml or 'fitToHeight="0"' in xml, name
        assert "<fitToPage" in xml.replace('fitToPage="1"', "<fitToPage"), name
        assert "Page &amp;P of &amp;N" in xml, name  # page numbers, in English
        assert "&amp;A" in xml, name  # the sheet's name in the header


@needs_libreoffice
def test_libreoffice_prints_each_region_sheet_one_page_wide(tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = tmp_path / "book.xlsx"
    build_workbook(_data(), path)
    pages = [page.extract_text() or "" for page in PdfReader(print_to_pdf(path, tmp_path)).pages]
    # The header names the sheet on every page: the region sheet's pages are found by it.
    region = [
        t for t in pages if t.startswith("Synthèse de la tournée régionale du tourisme Souss-Massa")
    ]
    assert region, "the region sheet was not printed"
    for text in region:
        # One page wide: every page shows the first and the last column headers (the header
        # row is repeated), and the page number in the footer.
        assert "Date" in text and "Téléphone" in text and "Groupe" in text
        assert "Page " in text
    printed = " ".join(region)
    # References are printed whole, even beside a filled "Groupe" cell.
    assert all(f"SM-2025-{n:04d}-LONGREF" in printed for n in range(40))
