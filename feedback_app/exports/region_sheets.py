"""The region sheets: one Excel table of items per region, filled by the workbook's hot loop.

The rows stream in region order and are read once; each value reaches its cell through
`Formats.prepare` (cleaned, a string cell, never a formula), small vocabularies prepared once,
and each row goes to its sheet whole (exports/rows_xml.py). Shortlisted items are spooled on
the way for the "Éléments retenus" sheet.
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
from feedback_app.exports.rows_xml import RowWriter, number_cell, string_cell
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


class _Value:
    """A prepared value of a cell: its text, format, wrapped lines at the column's print width,
    and its cell XML after the reference, made at its first use (so that formats are numbered
    in the order XlsxWriter would number them)."""

    __slots__ = ("_xml", "fmt", "lines", "text")

    def __init__(self, text: str, fmt: Format, lines: int = 1) -> None:
        self.text, self.fmt, self.lines = text, fmt, lines
        self._xml: str | None = None

    @property
    def xml(self) -> str:
        if self._xml is None:
            self._xml = string_cell(self.text, self.fmt)
        return self._xml


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
    """The hot loop: one pass over the streamed rows, region sheets filled in order.

    Profiled (bench/export.py, bench/scale.py): per row, the cost was XlsxWriter's cell calls
    and the preparing of text. So a value is prepared once where it repeats: small
    vocabularies once per workbook (with their wrapped line count and cell XML), a
    submission's fields (organisation, reference, contacts) once for its items in a row; and
    a row goes to the sheet as one string (exports/rows_xml.py), as XlsxWriter would write it.
    """
    prepare = formats.prepare
    date_fmt, number_fmt = formats.date, formats.number
    # Values from small vocabularies are prepared once, not per row.
    memo: dict[tuple[int, str], _Value] = {}

    def vocab(col: int, value: str) -> _Value:
        key = (col, value)
        got = memo.get(key)
        if got is None:
            text, fmt = prepare(value, "wrap")
            got = memo[key] = _Value(text, fmt, text_lines(text, _PRINT_CAPS.get(col, 40)))
        return got

    def plain(value: str, base: str = "wrap") -> _Value:
        return _Value(*prepare(value, base))

    kinds = {k: vocab(4, labels.kind(k)) for k in labels.kinds}
    priorities = {p: vocab(7, labels.priority(p)) for p in ("high", "medium", "low")}
    statuses = {s: vocab(8, labels.status(s)) for s in ("new", "reviewed", "spam")}
    sources = {s: plain(labels.source(s)) for s in ("form", "api", "tablet", "import")}
    source_col = ITEM_COLUMNS.index("source")
    group_col = ITEM_COLUMNS.index("group")
    first_contact_col = len(ITEM_COLUMNS)
    yes = plain(labels["yes"])
    categories = {code: vocab(3, label) for code, label in data.synthesis.categories}
    themes = {tid: vocab(5, label) for tid, label in data.theme_labels.items()}
    region_names = {r.slug: prepare(r.name, "wrap") for r in data.synthesis.regions}
    # Day -> (Excel serial, its cell XML after the reference).
    days: dict[dt.date, tuple[int, str]] = {}
    contacts = len(columns) > len(ITEM_COLUMNS)
    text_per_line = max(1, int(_TEXT_WIDTH * 1.15))  # text_lines' own rule, inlined below
    org_cap, contact_caps = (
        _PRINT_CAPS[2],
        [_PRINT_CAPS.get(col, 40) for col in range(first_contact_col, first_contact_col + 4)],
    )

    def fresh_widths() -> list[int]:
        return [len(labels.column(c)) for c in columns]

    widths = fresh_widths()
    finished: set[str] = set()
    ws: Worksheet | None = None
    writer: RowWriter | None = None
    current, r, count = None, 0, 0
    # The submission's values, prepared for its first item and reused for the next ones.
    last_org: str | None = None
    org = plain("")
    org_lines = 1
    last_ref: str | None = None
    ref = org
    last_contacts: tuple[str | None, ...] = ()
    contact_cells: list[tuple[int, str]] = []
    contact_lines = 1
    for item in data.rows:
        if item.region != current:
            if ws is not None and writer is not None:
                writer.finish()
                _finish(ws, widths, finished)
                widths = fresh_widths()
            current = item.region
            ws, writer = region_sheets.get(current), None
            r = 0
            # A new sheet measures its own widths: nothing is carried over from the last one.
            last_org = last_ref = None
            last_contacts = ()
            if ws is not None:
                writer = RowWriter(ws, len(columns))
                writer.start(1)
        if ws is None or writer is None:
            continue  # a region that was not selected: never expected, never shown
        r += 1
        day = days.get(item.date)
        if day is None:
            serial = (item.date - _EXCEL_EPOCH).days
            day = days[item.date] = (serial, number_cell(serial, date_fmt))
        city = vocab(1, item.city)
        if item.organisation != last_org:
            last_org = item.organisation
            org = plain(last_org)
            org_lines = text_lines(org.text, org_cap)
            _grow(widths, 2, org.text)
        cat = categories.get(item.category) or vocab(3, item.category)
        kind = kinds[item.kind]
        cells = [(0, day[1]), (1, city.xml), (2, org.xml), (3, cat.xml), (4, kind.xml)]
        theme = themes.get(item.theme_id) if item.theme_id is not None else None
        if theme:
            cells.append((5, theme.xml))
        text_value, text_fmt = prepare(item.text, "wrap")
        cells.append((6, string_cell(text_value, text_fmt)))
        priority = priorities[item.priority] if item.priority else None
        if priority:
            cells.append((7, priority.xml))
        status = statuses[item.status]
        cells.append((8, status.xml))
        if item.shortlisted:
            cells.append((9, yes.xml))
        if item.reference != last_ref:
            last_ref = item.reference
            ref = plain(last_ref, "cell")
            _grow(widths, 10, ref.text)  # a reference is never cut
        cells.append((10, ref.xml))
        if item.group is not None:
            cells.append((group_col, number_cell(item.group, number_fmt)))
        cells.append((source_col, sources[item.source].xml))
        _grow(widths, 1, city.text)
        _grow(widths, 6, text_value)
        _grow(widths, 3, cat.text)
        _grow(widths, 4, kind.text)
        _grow(widths, 8, status.text)
        if priority:
            _grow(widths, 7, priority.text)
        if theme:
            _grow(widths, 5, theme.text)
        # The row's height, for a printed sheet (wrapped text at the column's print width;
        # a column narrower than its cap holds nothing that wraps).
        if "\n" in text_value:
            height = text_lines(text_value, _TEXT_WIDTH)
        else:
            height = max(1, -(-len(text_value) // text_per_line))
        height = max(
            height,
            org_lines,
            city.lines,
            cat.lines,
            kind.lines,
            status.lines,
            theme.lines if theme else 1,
            priority.lines if priority else 1,
        )
        if contacts:
            values = (item.person_name, item.job_title, item.email, item.phone)
            if values != last_contacts:
                last_contacts, contact_cells, contact_lines = values, [], 1
                for offset, contact in enumerate(values):
                    if contact:
                        cell = plain(contact)
                        col = first_contact_col + offset
                        contact_cells.append((col, cell.xml))
                        _grow(widths, col, cell.text)
                        contact_lines = max(
                            contact_lines, text_lines(cell.text, contact_caps[offset])
                        )
            cells += contact_cells
            height = max(height, contact_lines)
        writer.row(r, cells, lines_height(height) if height > 1 else None)
        rows[current] = r

        if item.shortlisted:
            retained.add(
                item.kind,
                (
                    region_names[current],
                    day[0],
                    (city.text, city.fmt),
                    (org.text, org.fmt),
                    (cat.text, cat.fmt),
                    (theme.text, theme.fmt) if theme else None,
                    (text_value, text_fmt),
                    (priority.text, priority.fmt) if priority else None,
                    item.group,
                    (ref.text, ref.fmt),
                ),
            )

        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if ws is not None and writer is not None:
        writer.finish()
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
