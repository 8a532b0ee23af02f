"""The Excel synthesis, built by one pure function from query results.

Writer chosen by measurement (bench/export.py): XlsxWriter in constant-memory mode, written
cell by cell — each sheet keeps one row in memory, so memory stays flat in the number of
items, and it is faster than openpyxl's write-only mode. (Never pandas with constant_memory:
it silently drops data.) Every cell from user text is a string cell: no formula can exist.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import IO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.brief_sheet import brief_sheet_name, write_brief
from feedback_app.exports.cells import sheet_name, table_name
from feedback_app.exports.data import ProgressCallback, WorkbookData
from feedback_app.exports.idea_sheets import RetainedRows, write_ideas, write_retained
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, fit_widths
from feedback_app.exports.summary_sheets import print_setup, write_about, write_synthesis

ITEM_COLUMNS = (
    "date",
    "city",
    "organisation",
    "category",
    "kind",
    "theme",
    "text",
    "priority",
    "status",
    "shortlisted",
    "reference",
    "group",
    "source",
)
CONTACT_COLUMNS = ("person_name", "job_title", "email", "phone")
PROGRESS_EVERY = 1000
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TEXT_WIDTH = 48
_PRINT_CAPS = {
    1: 14,
    2: 22,
    3: 18,
    4: 12,
    5: 18,
    6: _TEXT_WIDTH,
    7: 9,
    8: 10,
    9: 9,
    12: 16,
    13: 14,
    14: 24,
    15: 13,
}


@dataclass
class BuildResult:
    rows: dict[str, int] = field(default_factory=dict)  # region slug -> item rows written
    retained: int = 0  # shortlisted items of every kind
    sheet_names: list[str] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(self.rows.values())


def _add_table(ws: Worksheet, name: str, headers: list[str], header_format: Format) -> None:
    """A real Excel table (header style, filter buttons) over rows still to be written.

    XlsxWriter refuses add_table() in constant-memory mode because it writes the header cells
    itself; here it is called before any row, while row 0 is still in memory, and the header
    is written again right after. The table is declared over one data row (add_table indexes
    every cell of its range, which costs time and memory on large sheets) and stretched to the
    rows really written by `_stretch_table` at the end.
    """
    ws.constant_memory = False
    try:
        ws.add_table(
            0,
            0,
            1,
            len(headers) - 1,
            {
                "name": name,
                "style": "Table Style Medium 2",
                "columns": [{"header": h, "header_format": header_format} for h in headers],
            },
        )
    finally:
        ws.constant_memory = True
    ws.set_row(0, 30)
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, header_format)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)  # printed pages repeat the header


def _stretch_table(ws: Worksheet, data_rows: int, columns: int) -> None:
    """Make the sheet's table cover the header and `data_rows` rows (at least one)."""
    table = ws.tables[-1]
    cells = xl_range(0, 0, max(data_rows, 1), columns - 1)
    table["range"] = table["a_range"] = cells
    if table.get("autofilter"):
        table["autofilter"] = cells


def build_workbook(
    data: WorkbookData,
    out: str | os.PathLike[str] | IO[bytes],
    *,
    language: str = "fr",
    progress: ProgressCallback | None = None,
    tmpdir: str | None = None,
) -> BuildResult:
    """Write the synthesis workbook to `out` (a path or a binary file) and say what it holds.

    `data.rows` must come in the order of `data.synthesis.regions` and is read once.
    """
    labels = Labels(language)
    options: dict[str, object] = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    if tmpdir:
        options["tmpdir"] = tmpdir
    wb = xlsxwriter.Workbook(out, options)
    wb.set_properties(
        {"title": labels["title"], "author": data.generated_by[:255], "comments": "Tournée"}
    )
    formats = Formats(wb, labels["date_format"])
    result = BuildResult()
    taken: set[str] = set()
    syn = data.synthesis

    summary = wb.add_worksheet(sheet_name(labels["sheet_synthesis"], taken))
    ideas_ws = wb.add_worksheet(sheet_name(labels["sheet_ideas"], taken))
    region_sheets: dict[str, Worksheet] = {}
    for region in syn.regions:
        region_sheets[region.slug] = wb.add_worksheet(sheet_name(region.name, taken))
    retained_ws = wb.add_worksheet(sheet_name(labels["sheet_proposals"], taken))
    briefs = [data.briefs[r.slug] for r in syn.regions if r.slug in data.briefs]
    brief_sheets = [
        wb.add_worksheet(sheet_name(brief_sheet_name(b, labels), taken)) for b in briefs
    ]
    about = wb.add_worksheet(sheet_name(labels["sheet_about"], taken))
    result.sheet_names = [ws.name for ws in wb.worksheets()]

    write_synthesis(wb, summary, formats, labels, data)
    for brief, brief_ws in zip(briefs, brief_sheets, strict=True):
        write_brief(brief_ws, formats, labels, brief, data.generated_at.tzinfo)
    write_ideas(ideas_ws, formats, labels, data.ideas)
    print_setup(ideas_ws, labels)
    write_about(
        about, formats, labels, data, syn.categories, [ws.name for ws in region_sheets.values()]
    )

    columns = ITEM_COLUMNS + (CONTACT_COLUMNS if data.include_contacts else ())
    headers = [labels.column(c) for c in columns]
    header_fmt = formats.get("header")
    for region in syn.regions:
        ws = region_sheets[region.slug]
        _add_table(ws, table_name("Region", region.slug), headers, header_fmt)
        print_setup(ws, labels)
    print_setup(retained_ws, labels)

    retained = RetainedRows()
    _write_rows(data, labels, formats, region_sheets, retained, columns, result, progress)
    for slug, ws in region_sheets.items():
        _stretch_table(ws, result.rows.get(slug, 0), len(columns))
    write_retained(retained_ws, formats, labels, retained)
    result.retained = retained.count
    wb.close()
    return result


def _write_rows(
    data: WorkbookData,
    labels: Labels,
    formats: Formats,
    region_sheets: dict[str, Worksheet],
    retained: RetainedRows,
    columns: tuple[str, ...],
    result: BuildResult,
    progress: ProgressCallback | None,
) -> None:
    """The hot loop: one pass over the streamed rows, region sheets filled in order."""
    prepare = formats.prepare
    date_fmt = formats.date
    # Values from small vocabularies are prepared once, not per row.
    memo: dict[tuple[str, str], tuple[str, Format]] = {}

    def vocab(kind: str, value: str) -> tuple[str, Format]:
        key = (kind, value)
        got = memo.get(key)
        if got is None:
            got = memo[key] = prepare(value, "wrap")
        return got

    kinds = {
        k: vocab("kind", labels.kind(k)) for k in ("need", "opportunity", "challenge", "proposal")
    }
    priorities = {p: vocab("priority", labels.priority(p)) for p in ("high", "medium", "low")}
    statuses = {s: vocab("status", labels.status(s)) for s in ("new", "reviewed", "spam")}
    sources = {s: vocab("source", labels.source(s)) for s in ("form", "api", "tablet", "import")}
    source_col = ITEM_COLUMNS.index("source")
    group_col = ITEM_COLUMNS.index("group")
    first_contact_col = len(ITEM_COLUMNS)
    yes = vocab("yes", labels["yes"])
    categories = {code: vocab("category", label) for code, label in data.synthesis.categories}
    themes = {tid: vocab("theme", label) for tid, label in data.theme_labels.items()}
    region_names = {r.slug: vocab("region", r.name) for r in data.synthesis.regions}
    serials: dict[dt.date, int] = {}
    contacts = len(columns) > len(ITEM_COLUMNS)

    def fresh_widths() -> list[int]:
        return [len(labels.column(c)) for c in columns]

    widths = fresh_widths()
    finished: set[str] = set()
    ws: Worksheet | None = None
    current, r, count = None, 0, 0
    for item in data.rows:
        if item.region != current:
            if ws is not None:
                _finish(ws, widths, finished)
                widths = fresh_widths()
            current = item.region
            ws = region_sheets.get(current)
            r = 0
        if ws is None:
            continue  # a region that was not selected: never expected, never shown
        r += 1
        serial = serials.get(item.date)
        if serial is None:
            serial = serials[item.date] = (item.date - _EXCEL_EPOCH).days
        ws.write_number(r, 0, serial, date_fmt)
        city = vocab("city", item.city)
        ws.write_string(r, 1, *city)
        org = prepare(item.organisation, "wrap")
        ws.write_string(r, 2, *org)
        cat = categories.get(item.category) or vocab("category", item.category)
        ws.write_string(r, 3, *cat)
        ws.write_string(r, 4, *kinds[item.kind])
        theme = themes.get(item.theme_id) if item.theme_id is not None else None
        if theme:
            ws.write_string(r, 5, *theme)
        text = prepare(item.text, "wrap")
        ws.write_string(r, 6, *text)
        if item.priority:
            ws.write_string(r, 7, *priorities[item.priority])
        ws.write_string(r, 8, *statuses[item.status])
        if item.shortlisted:
            ws.write_string(r, 9, *yes)
        ref = prepare(item.reference)
        ws.write_string(r, 10, *ref)
        ws.write_string(r, source_col, *sources[item.source])
        if item.group is not None:
            ws.write_number(r, group_col, item.group)
        _grow(widths, 1, city[0])
        _grow(widths, 2, org[0])
        _grow(widths, 6, text[0])
        _grow(widths, 10, ref[0])  # a reference is never cut
        if theme:
            _grow(widths, 5, theme[0])
        if contacts:
            contact_values = (item.person_name, item.job_title, item.email, item.phone)
            for col, value in enumerate(contact_values, start=first_contact_col):
                if value:
                    cell = prepare(value)
                    ws.write_string(r, col, *cell)
                    _grow(widths, col, cell[0])
        result.rows[current] = r

        if item.shortlisted:
            retained.add(
                item.kind,
                (
                    region_names[current],
                    serial,
                    city,
                    org,
                    cat,
                    theme,
                    text,
                    priorities[item.priority] if item.priority else None,
                    item.group,
                    ref,
                ),
            )

        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if ws is not None:
        _finish(ws, widths, finished)
    for empty in region_sheets.values():
        if empty.name not in finished:
            _finish(empty, fresh_widths(), finished)
    if progress is not None:
        progress(count)


def _grow(widths: list[int], col: int, value: str) -> None:
    if len(value) > widths[col]:
        widths[col] = len(value)


def _finish(ws: Worksheet, widths: list[int], finished: set[str]) -> None:
    widths[0] = max(widths[0], 10)  # dates
    # Printed on one landscape A4 page wide at a readable size: long values wrap in their
    # column (city, organisation, category, theme, text, contacts) instead of widening it;
    # references are never cut.
    fit_widths(ws, widths, caps=_PRINT_CAPS, minimum=7)
    finished.add(ws.name)
