"""The review list taken out as it is filtered: one row per entry, in CSV or in a one-sheet .xlsx.

A pure writer fed with plain rows (no Flask, no ORM). The CSV's column names are stable English
codes, documented in the README ("Long-format CSV"): scripts in R, pandas or Power BI rely on
them. The .xlsx is for people: its headings are given in the reader's language.
Both writers stream: the CSV yields bytes chunk by chunk, the .xlsx is written in XlsxWriter's
constant-memory mode, so memory stays flat whatever the number of rows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import xlsxwriter

from feedback_app.exports.cells import clean_text, is_rtl, looks_like_formula

COLUMNS: tuple[str, ...] = (
    "submission_id",
    "reference",
    "received_at",
    "region",
    "region_name",
    "stop_id",
    "stop_city",
    "stop_date",
    "organisation",
    "category",
    "category_name",
    "source",
    "status",
    "entry_id",
    "entry_position",
    "kind",
    "kind_name",
    "theme",
    "theme_name",
    "priority",
    "shortlisted",
    "matches_filter",
    "text",
)
CONTACT_COLUMNS: tuple[str, ...] = (
    "contact_name",
    "contact_job_title",
    "contact_email",
    "contact_phone",
)
BOM = "\ufeff"
_FLUSH_ROWS = 500


class EntryRow(NamedTuple):
    """One entry of a listed contribution; names are in the reader's language, codes are not.

    Contact fields are None unless the respondent consented and the reader asked and may see
    them."""

    submission_id: int
    reference: str
    received_at: dt.datetime  # in the tour's time zone
    region: str  # slug
    region_name: str
    stop_id: int
    stop_city: str
    stop_date: dt.date
    organisation: str
    category: str
    category_name: str
    source: str
    status: str
    entry_id: int
    entry_position: int
    kind: str
    kind_name: str
    theme: str | None
    theme_name: str | None
    priority: str | None
    shortlisted: bool
    matches_filter: bool  # the entry itself meets the list's entry filters (kind, theme...)
    text: str
    contact_name: str | None = None
    contact_job_title: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


def columns(include_contacts: bool) -> tuple[str, ...]:
    return COLUMNS + (CONTACT_COLUMNS if include_contacts else ())


def _plain(value: object) -> str:
    """A field's CSV text: ISO dates, `true`/`false`, empty for none; text that a spreadsheet
    would run as a formula gets a leading apostrophe (the usual CSV-injection defence)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_chunks(rows: Iterable[EntryRow], *, include_contacts: bool) -> Iterator[bytes]:
    """The review list's long CSV (see `csv_table`)."""
    names = columns(include_contacts)
    width = len(names)
    return csv_table(names, (row[:width] for row in rows))


def csv_table(names: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads the accents and Arabic right), RFC 4180
    quoting and CRLF line ends, as the csv module writes them; every field through `_plain`
    (formula-safe). The writer of every CSV Tournée serves: the review list and the BI feed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(names)
    for count, row in enumerate(rows, 1):
        writer.writerow([_plain(v) for v in row])
        if count % _FLUSH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    rows: Iterable[EntryRow],
    path: Path,
    *,
    include_contacts: bool,
    title: str,
    header: Sequence[tuple[str, str]],
    titles: Mapping[str, str] | None = None,
    rtl: bool = False,
    tmpdir: str | None = None,
) -> int:
    """One sheet: the title, the header block (filter, author, date: label and value pairs),
    then the rows under the columns' `titles` (code -> heading in the reader's language; the
    code itself where none is given). Returns how many rows were written."""
    names = columns(include_contacts)
    headings = [(titles or {}).get(code, code) for code in names]
    options: dict[str, object] = {"constant_memory": True, "strings_to_formulas": False}
    if tmpdir is not None:
        options["tmpdir"] = tmpdir
    workbook = xlsxwriter.Workbook(str(path), options)
    bold = workbook.add_format({"bold": True})
    big = workbook.add_format({"bold": True, "font_size": 14})
    quoted = workbook.add_format({"quote_prefix": True})
    quoted_rtl = workbook.add_format({"quote_prefix": True, "reading_order": 2})
    right_to_left = workbook.add_format({"reading_order": 2})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    try:
        sheet = workbook.add_worksheet("Liste")
        if rtl:
            sheet.right_to_left()
        sheet.write_string(0, 0, clean_text(title), big)
        line = 1
        for label, text in header:
            sheet.write_string(line, 0, clean_text(label), bold)
            _write_text(sheet, line, 1, text, quoted, quoted_rtl, right_to_left)
            line += 1
        line += 1
        for column, heading in enumerate(headings):
            sheet.write_string(line, column, clean_text(heading), bold)
        sheet.freeze_panes(line + 1, 0)
        written = 0
        for row in rows:
            line += 1
            written += 1
            for column, value in enumerate(row[: len(names)]):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(line, column, value)
                elif isinstance(value, int):
                    sheet.write_number(line, column, value)
                elif isinstance(value, dt.datetime):
                    # Excel has no time zones: the local wall-clock time of the tour.
                    sheet.write_datetime(line, column, value.replace(tzinfo=None), time_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(line, column, value, date_format)
                else:
                    _write_text(sheet, line, column, str(value), quoted, quoted_rtl, right_to_left)
    except BaseException:
        # Close even so: XlsxWriter's temporary files stay open (and on disk) until then.
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    workbook.close()
    return written


def _write_text(
    sheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    column: int,
    value: str,
    quoted: xlsxwriter.format.Format,
    quoted_rtl: xlsxwriter.format.Format,
    right_to_left: xlsxwriter.format.Format,
) -> None:
    """Always a string cell; a formula look-alike keeps Excel's quote prefix."""
    text = clean_text(value)
    rtl = is_rtl(text)
    if looks_like_formula(text):
        sheet.write_string(row, column, text, quoted_rtl if rtl else quoted)
    elif rtl:
        sheet.write_string(row, column, text, right_to_left)
    else:
        sheet.write_string(row, column, text)
