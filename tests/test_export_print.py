"""The workbook prints: every sheet has its page set-up, and LibreOffice prints each region
sheet one page wide, header row repeated, nothing clipped (run when LibreOffice is installed).

The whole workbook is converted to PDF once for the module (`printed`): long texts on the region
sheets and "Idées récurrentes", many shortlisted items, delegates' summaries longer than a row
can hold. A row whose height was left at one line would lose words in print: the tests look for
the last words of every long text in the PDF's text."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

from feedback_app.exports import (
    IdeaGroupRow,
    ItemRow,
    RegionFigures,
    Synthesis,
    WorkbookData,
    build_workbook,
)
from feedback_app.exports.data import BriefStop, Quote, RegionBrief
from feedback_app.labels import CODE_WORDS
from tests.libreoffice import LIBREOFFICE, needs_libreoffice, print_to_pdf

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
@pytest.mark.slow
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


# Each long text ends with words found nowhere else, so that finding them proves the end printed.
def _summary(n: int, sentences: int) -> str:
    return (
        "Les professionnels de l'étape ont surtout parlé de formation et de transport. " * sentences
        + f"Fin de la synthèse numéro {n} ZQX{n}."
    )


def _quote(n: int) -> str:
    return LONG + f"Dernière phrase de la citation KWQ{n}."


def _item_text(n: int) -> str:
    return LONG + f"Fin du texte JXV{n}."


REGIONS = (("souss-massa", "Souss-Massa"), ("oriental", "L'Oriental"))
SUMMARIES = {
    # Short, two pages' worth, and one longer than a row can hold (409 points).
    "souss-massa": (_summary(1, 3), _summary(2, 40)),
    "oriental": (_summary(3, 1), _summary(4, 70)),
}
ITEMS_PER_REGION = 60
IDEAS = 24  # with their long quotes, "Idées récurrentes" spans several pages


def _whole_book() -> WorkbookData:
    rows = [
        ItemRow(
            slug,
            dt.date(2025, 1, 24 + r),
            "Agadir" if r == 0 else "Oujda",
            f"Association n°{n} {CRT}",
            "crt",
            ("need", "opportunity", "challenge", "proposal")[n % 4],
            None,
            _item_text(r * 100 + n),
            "high",
            "reviewed",
            n % 2 == 0,  # half of them shortlisted: "Éléments retenus" spans several pages
            f"SM-2025-{n:04d}-LONGREF",
            person_name="Fatima Ezzahra El Idrissi",
            email="fatima.elidrissi@example.ma",
            group=n % 5 or None,
        )
        for r, (slug, _name) in enumerate(REGIONS)
        for n in range(ITEMS_PER_REGION)
    ]
    figures = tuple(
        RegionFigures(slug, name, stops_held=2, submissions=ITEMS_PER_REGION, shortlisted=30)
        for slug, name in REGIONS
    )
    briefs = {
        slug: RegionBrief(
            slug=slug,
            name=name,
            figures=figure,
            stops=tuple(
                BriefStop(city, dt.date(2025, 1, 24 + i), text, "Délégué", None)
                for i, (city, text) in enumerate(
                    zip(("Agadir", "Taroudant"), SUMMARIES[slug], strict=True)
                )
            ),
            top_themes={},
        )
        for (slug, name), figure in zip(REGIONS, figures, strict=True)
    }
    ideas = tuple(
        IdeaGroupRow(
            n,
            f"Idée {n}",
            "need",
            12,
            9,
            (CRT,),
            ("Souss-Massa",),
            ("Formation",),
            (Quote(_quote(n), "fr"), Quote(LONG, "fr"), Quote(LONG, "fr")),
        )
        for n in range(1, IDEAS + 1)
    )
    return WorkbookData(
        synthesis=Synthesis(
            regions=figures,
            categories=(("crt", CRT),),
            by_category={slug: {"crt": ITEMS_PER_REGION} for slug, _ in REGIONS},
            top_themes={},
        ),
        rows=iter(rows),
        generated_at=dt.datetime(2025, 2, 1, 9, 0),
        generated_by="Test",
        code_words=CODE_WORDS,
        ideas=ideas,
        briefs=briefs,
    )


# The three tests of one LibreOffice conversion run on one worker (`--dist loadgroup`), so the
# conversion is made once, not once per worker.
_WHOLE_BOOK = pytest.mark.xdist_group("libreoffice-whole-workbook")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> list[str]:
    """The text of each page LibreOffice prints of the whole workbook (one conversion)."""
    from pypdf import PdfReader

    if LIBREOFFICE is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-calc-nogui)")
    folder = tmp_path_factory.mktemp("print")
    path = folder / "whole.xlsx"
    build_workbook(_whole_book(), path)
    pdf = PdfReader(print_to_pdf(path, folder))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf.pages]


def _sheet(printed: list[str], name: str) -> list[str]:
    # The page header names the sheet (after the workbook's title) on every printed page.
    return [t for t in printed if f"{name} " in t[:160] or t[:160].endswith(name)]


@pytest.mark.slow
@_WHOLE_BOOK
def test_the_whole_workbook_prints_in_a_bounded_number_of_pages(printed) -> None:
    # 120 long items on two region sheets (about 8 rows of 6 lines a page), 60 shortlisted,
    # 12 ideas with three long quotes, two briefs: measured 25 pages (9 when wrapped rows kept
    # one line's height and cut their text); twice as many would mean a sheet no longer fitted
    # to the page's width or heights grossly overestimated.
    assert 18 <= len(printed) <= 45, len(printed)


@pytest.mark.slow
@_WHOLE_BOOK
def test_every_summary_and_long_text_prints_to_its_last_words(printed) -> None:
    text = " ".join(printed)
    for n in range(1, 5):
        assert f"Fin de la synthèse numéro {n} ZQX{n}." in text, n
    for n in range(1, IDEAS + 1):
        assert f"Dernière phrase de la citation KWQ{n}." in text, n
    for r in range(len(REGIONS)):
        for n in range(ITEMS_PER_REGION):
            assert f"Fin du texte JXV{r * 100 + n}." in text, (r, n)


@pytest.mark.slow
@_WHOLE_BOOK
def test_multi_page_sheets_repeat_their_header_rows(printed) -> None:
    retained = [t for t in printed if "Éléments retenus" in t[:200] and "JXV" in t]
    assert len(retained) >= 2, "the shortlisted items should span several pages"
    for page in retained:
        assert "Région" in page and "Référence" in page  # the column headers, on every page
    synthesis = [t for t in printed if t.startswith("Synthèse de la tournée") and "Généré" in t]
    assert synthesis  # the sheet's title and its "generated" line head its page(s)
    ideas = [t for t in printed if "KWQ" in t]
    assert len(ideas) >= 2
    assert all("Citation 1" in t and "Thèmes" in t for t in ideas)
