"""The pure workbook builder and its cell rules, without database or Flask."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from feedback_app.exports import (
    IdeaGroupRow,
    ItemRow,
    RegionFigures,
    Synthesis,
    ThemeCount,
    WorkbookData,
    build_workbook,
)
from feedback_app.exports.cells import clean_text, is_rtl, looks_like_formula, sheet_name
from feedback_app.exports.labels import LABELS
from feedback_app.exports.rows_xml import RowWriter, number_cell, string_cell
from feedback_app.labels import CODE_WORDS

DANGEROUS = [
    "=1+1",
    "+cmd",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    " =1",
    "   +1",
    "\u200f=1",
    "\u202e=cmd",
    "\u200e\u200f @x",
    "\ufeff=1",
    "\u00a0=1",
    "\tplain",
]
HARMLESS = [
    "Former le personnel",
    "2025 sera une bonne année",
    "Plus de vols",
    "",
    "a=1",
    "نحتاج إلى تكوين",
    "(=1)",
    "«=1»",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_looking_text_is_recognised(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not looks_like_formula(text)


def test_clean_text_drops_what_xlsx_cannot_hold_and_truncates() -> None:
    assert clean_text("a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\ufffei\uffff") == "abcdefghi"
    assert clean_text("tab\tline\nreturn\r") == "tab\tline\nreturn\r"  # legal in XML: kept
    assert len(clean_text("é" * 40_000)) == 32_767
    emoji = clean_text("😀" * 20_000)  # two UTF-16 units each, as Excel counts
    assert len(emoji) == 16_383


def test_direction_follows_the_first_strong_letter() -> None:
    assert is_rtl("نحتاج إلى تكوين")
    assert is_rtl("2025 : نحتاج")
    assert not is_rtl("Hôtel الأطلس")
    assert not is_rtl("12345")


def test_sheet_names_follow_excels_rules() -> None:
    taken: set[str] = set()
    assert sheet_name("Région [A]: x*y?/z\\w", taken) == "Région  A   x y  z w"
    long = sheet_name("Tanger-Tétouan-Al Hoceïma et un nom bien trop long", taken)
    assert len(long) == 31
    assert sheet_name("'Quoted'", taken) == "Quoted"
    assert sheet_name("quoted", taken) == "quoted (2)"  # unique regardless of case
    assert sheet_name("History", taken) != "History"
    assert sheet_name("", taken) == "Feuille"


def test_the_three_languages_have_the_same_words() -> None:
    keys = set(LABELS["fr"])
    for language in ("ar", "en"):
        assert set(LABELS[language]) == keys, language
        for key, value in LABELS["fr"].items():
            if isinstance(value, dict):
                assert set(LABELS[language][key]) == set(value), (language, key)  # type: ignore[arg-type]


def _data(rows: list[ItemRow]) -> WorkbookData:
    regions = (
        RegionFigures(
            "souss-massa", "Souss-Massa", stops_held=1, submissions=1, by_kind={"need": len(rows)}
        ),
        RegionFigures("oriental", "L'Oriental"),
    )
    return WorkbookData(
        synthesis=Synthesis(
            regions=regions,
            categories=(("autre", "Autre"),),
            by_category={"souss-massa": {"autre": 1}},
            top_themes={"need": (ThemeCount("t", "=Thème", 1, 1),)},
        ),
        rows=iter(rows),
        generated_at=dt.datetime(2025, 2, 1, 9, 0),
        generated_by='=HYPERLINK("x")',
        code_words=CODE_WORDS,
        theme_labels={1: "=Thème"},
    )


def test_the_builder_writes_any_text_without_formula_or_failure() -> None:
    nasty = ["\x00=1+1", "a\x00b", "\ufffe@x", "x" * 50_000, "=cmd|' /C calc'!A0"]
    rows = [
        ItemRow(
            "souss-massa",
            dt.date(2025, 1, 24),
            "=Agadir",
            text,
            "autre",
            "need",
            1,
            text,
            "high",
            "new",
            False,
            "=REF",
            person_name=text,
        )
        for text in nasty
    ]
    out = io.BytesIO()
    result = build_workbook(_data(rows), out)
    assert result.rows == {"souss-massa": len(nasty)}
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml
    out.seek(0)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Synthèse",
        "Idées récurrentes",
        "Carte des idées",
        "Souss-Massa",
        "L'Oriental",
        "Éléments retenus",
        "Engagements",
        "À propos",
    ]
    texts = [c.value for c in book["Souss-Massa"]["G"][1:]]
    assert texts[:3] == ["=1+1", "ab", "@x"]
    assert len(texts[3]) == 32_767
    assert book["Souss-Massa"]["B2"].value == "=Agadir" and book["Souss-Massa"]["B2"].quotePrefix
    assert book["Synthèse"]["A2"].data_type == "s"


def test_arabic_workbook_reads_right_to_left() -> None:
    rows = [
        ItemRow(
            "souss-massa",
            dt.date(2025, 1, 24),
            "أكادير",
            "فندق",
            "autre",
            "need",
            None,
            "نحتاج إلى تكوين",
            None,
            "reviewed",
            False,
            "SM-1",
        )
    ]
    out = io.BytesIO()
    build_workbook(_data(rows), out, language="ar")
    out.seek(0)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "الخلاصة"
    assert all(ws.sheet_view.rightToLeft for ws in book)
    sheet = book["Souss-Massa"]
    assert [c.value for c in sheet[1]][:3] == ["التاريخ", "المحطة (المدينة)", "المؤسسة"]
    assert sheet["G2"].alignment.readingOrder == 2
    assert sheet["E2"].value == "حاجة"


def test_lists_in_an_arabic_workbook_are_separated_by_the_arabic_comma() -> None:
    idea = IdeaGroupRow(1, "تكوين", "need", 3, 2, (), ("سوس ماسة", "الشرق"), ("التكوين", "النقل"))
    data = dataclasses.replace(_data([]), ideas=(idea,))
    out = io.BytesIO()
    build_workbook(data, out, language="ar")
    cells = [
        c
        for row in openpyxl.load_workbook(out).worksheets[1].iter_rows(values_only=True)
        for c in row
    ]
    assert "سوس ماسة، الشرق" in cells and "التكوين، النقل" in cells


AWKWARD = [
    "plain",
    " leading space",
    "trailing space ",
    "a & b < c > d \"quoted\" 'single'",
    "_x0041_ looks like an escape",
    "line\nbreak\r\nand carriage return",
    "نحتاج إلى تكوين",
    "",
    "\t=1",
    "\u00a0non-breaking lead",
    "trailing newline\n",
    "em space\u2003",
    "control\x0bchar _x000D_",
]


def _sheet_xml(write: object) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("S")
    wrap = wb.add_format({"text_wrap": True})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(0, 0, "header", wrap)
    write(ws, wrap, date)  # type: ignore[operator]
    wb.close()
    with zipfile.ZipFile(out) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_whole_rows_are_the_bytes_xlsxwriter_writes_cell_by_cell() -> None:
    def by_cell(ws: object, wrap: object, date: object) -> None:
        for row, text in enumerate(AWKWARD, start=1):
            ws.write_number(row, 0, 45000 + row, date)  # type: ignore[attr-defined]
            ws.write_string(row, 2, text, wrap)  # type: ignore[attr-defined]
            if row % 2:
                ws.set_row(row, 33)  # type: ignore[attr-defined]

    def by_row(ws: object, wrap: object, date: object) -> None:
        writer = RowWriter(ws, 3)  # type: ignore[arg-type]
        writer.start(1)
        for row, text in enumerate(AWKWARD, start=1):
            cells = [(0, number_cell(45000 + row, date)), (2, string_cell(text, wrap))]  # type: ignore[arg-type]
            writer.row(row, cells, 33 if row % 2 else None)
        writer.finish()

    assert _sheet_xml(by_row) == _sheet_xml(by_cell)


def test_text_shaped_like_rich_xml_reads_as_typed_and_escapes_read_the_same_everywhere() -> None:
    # XlsxWriter wrote "<r>...</r>" raw into the sheet (the cell came out empty), and the
    # shortlisted sheet, in shared strings, did not protect a literal "_x0041_" (Excel shows
    # "A" there while the region sheet shows the text).
    texts = ["<r>x</r>", "code _x0041_ ici"]
    rows = [
        ItemRow(
            "souss-massa",
            dt.date(2025, 1, 24),
            "Agadir",
            "Org",
            "autre",
            "proposal",
            None,
            text,
            None,
            "new",
            True,
            f"R{n}",
        )
        for n, text in enumerate(texts)
    ]
    out = io.BytesIO()
    build_workbook(_data(rows), out)
    out.seek(0)
    book = openpyxl.load_workbook(out)
    region = [c.value for c in book["Souss-Massa"]["G"][1:]]
    retained = [c.value for c in book["Éléments retenus"]["G"][3:]]
    assert region[0] == "<r>x</r>"
    assert retained == region
