"""The region sheets: one Excel table of items per region, filled by the workbook's hot loop.

The rows stream in region order and are read once; each value reaches its cell through
`Formats.prepare` (cleaned, a string cell, never a formula), small vocabularies prepared once.
Shortlisted items are gathered on the way for the "Éléments retenus" sheet.
"""

from __future__ import annotations

import datetime as dt

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.cells import table_name
from feedback_app.exports.data import ProgressCallback, WorkbookData
from feedback_app.exports.idea_sheets import RetainedRows
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, fit_widths, lines_height, text_lines, write_header
from feedback_app.exports.summary_sheets import print_setup

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
    write_header(ws, 0, headers, header_format)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)  # printed pages repeat the header


def _stretch_table(ws: Worksheet, data_rows: int, columns: int) -> None:
    """Make the sheet's table cover the header and `data_rows` rows (at least one)."""
    table = ws.tables[-1]
    cells = xl_range(0, 0, max(data_rows, 1), columns - 1)
    table["range"] = table["a_range"] = cells
    if table.get("autofilter"):
        table["autofilter"] = cells


def write_region_sheets(
    region_sheets: dict[str, Worksheet],
    formats: Formats,
    labels: Labels,
    data: WorkbookData,
    retained: RetainedRows,
    progress: ProgressCallback | None,
) -> dict[str, int]:
    """Fill the sheets (by region slug, in the order of the rows) and say how many item rows
    each received."""
    columns = ITEM_COLUMNS + (CONTACT_COLUMNS if data.include_contacts else ())
    headers = [labels.column(c) for c in columns]
    header_fmt = formats.get("header")
    for slug, ws in region_sheets.items():
        _add_table(ws, table_name("Region", slug), headers, header_fmt)
        print_setup(ws, labels)
    rows: dict[str, int] = {}
    _write_rows(data, labels, formats, region_sheets, retained, columns, rows, progress)
    for slug, ws in region_sheets.items():
        _stretch_table(ws, rows.get(slug, 0), len(columns))
    return rows


def _write_rows(
    data: WorkbookData,
    labels: Labels,
    formats: Formats,
    region_sheets: dict[str, Worksheet],
    retained: RetainedRows,
    columns: tuple[str, ...],
    rows: dict[str, int],
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

    kinds = {k: vocab("kind", labels.kind(k)) for k in labels.kinds}
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
    # Wrapped lines per value of the small vocabularies (city, category, theme), counted once.
    vocab_lines: dict[tuple[int, str], int] = {}

    def lines(col: int, value: str) -> int:
        key = (col, value)
        got = vocab_lines.get(key)
        if got is None:
            got = vocab_lines[key] = text_lines(value, _PRINT_CAPS.get(col, 40))
        return got

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
        kind = kinds[item.kind]
        ws.write_string(r, 4, *kind)
        theme = themes.get(item.theme_id) if item.theme_id is not None else None
        if theme:
            ws.write_string(r, 5, *theme)
        text = prepare(item.text, "wrap")
        ws.write_string(r, 6, *text)
        priority = priorities[item.priority] if item.priority else None
        if priority:
            ws.write_string(r, 7, *priority)
        status = statuses[item.status]
        ws.write_string(r, 8, *status)
        if item.shortlisted:
            ws.write_string(r, 9, *yes)
        ref = prepare(item.reference)
        ws.write_string(r, 10, *ref)
        ws.write_string(r, source_col, *sources[item.source])
        if item.group is not None:
            ws.write_number(r, group_col, item.group, formats.number)
        _grow(widths, 1, city[0])
        _grow(widths, 2, org[0])
        _grow(widths, 6, text[0])
        _grow(widths, 10, ref[0])  # a reference is never cut
        _grow(widths, 3, cat[0])
        _grow(widths, 4, kind[0])
        _grow(widths, 8, status[0])
        if priority:
            _grow(widths, 7, priority[0])
        if theme:
            _grow(widths, 5, theme[0])
        # The row's height, for a printed sheet (wrapped text at the column's print width;
        # a column narrower than its cap holds nothing that wraps).
        height = max(
            text_lines(text[0], _TEXT_WIDTH),
            text_lines(org[0], _PRINT_CAPS[2]),
            lines(1, city[0]),
            lines(3, cat[0]),
            lines(5, theme[0]) if theme else 1,
            lines(4, kind[0]),
            lines(7, priority[0]) if priority else 1,
            lines(8, status[0]),
        )
        if contacts:
            contact_values = (item.person_name, item.job_title, item.email, item.phone)
            for col, value in enumerate(contact_values, start=first_contact_col):
                if value:
                    cell = prepare(value, "wrap")
                    ws.write_string(r, col, *cell)
                    _grow(widths, col, cell[0])
                    height = max(height, text_lines(cell[0], _PRINT_CAPS.get(col, 40)))
        if height > 1:  # constant-memory mode: set before the next row is started
            ws.set_row(r, lines_height(height))
        rows[current] = r

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
