"""Whole rows of a constant-memory sheet, written as XlsxWriter writes them, one write a row.

Profiled at 540,000 items, XlsxWriter's own cell writing was about half of a build: per cell
a dimension check, a cell tuple, then on the next row a loop over every column, the cell's
reference, an attribute list, two regular expressions and one file write. The region sheets
write the same few shapes of cell hundreds of thousands of times, so here a cell's XML after
its reference (style, type, escaped text) is made by the same XlsxWriter functions once per
distinct value where values repeat, and a row is one string. The bytes are XlsxWriter's own
(tests/test_export_builder.py compares both writers on awkward text).
"""

from __future__ import annotations

import re

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

_escape_control = XMLwriter._escape_control_characters
_escape_data = XMLwriter._escape_data
# What XlsxWriter's control-character escaping changes (its two patterns and two replaced
# characters); text without any, nearly all of it, is left as it is after one search.
_NEEDS_CONTROL_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def string_cell(text: str, fmt: Format) -> str:
    """What follows a string cell's reference in constant-memory mode (an inline string)."""
    if _NEEDS_CONTROL_ESCAPE.search(text):
        text = _escape_control(text)
    # XlsxWriter writes text shaped "<r>...</r>" unescaped, as a rich string; user text never
    # is one, so it is escaped like any other (the cell shows it as typed, the XML stays valid).
    # Leading or trailing whitespace is kept: XlsxWriter's r"^\s|\s$" (a final "\n" is itself
    # whitespace, and re's \s is str.isspace()).
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' s="{fmt._get_xf_index()}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def number_cell(number: int | float, fmt: Format) -> str:
    """What follows a number cell's reference."""
    return f' s="{fmt._get_xf_index()}"><v>{number:.16G}</v></c>'


def _escape(text: str) -> str:
    escaped: str = _escape_data(None, text)  # a method that never reads its instance
    return escaped


class RowWriter:
    """Writes a sheet's data rows after the rows XlsxWriter already holds (its header).

    Between `start` and `finish` nothing else may write cells to the sheet. Cells are given
    as (column, XML after the reference) in column order, from `string_cell`/`number_cell`.
    """

    def __init__(self, ws: Worksheet, columns: int) -> None:
        self._ws = ws
        self._names = [xl_col_to_name(col) for col in range(columns)]
        self._heights: dict[float, str] = {}
        self._first, self._last = -1, -1
        self._min_col, self._max_col = columns, -1

    def start(self, first_row: int) -> None:
        # XlsxWriter writes a row out when the next one starts: the header goes out now.
        self._ws._write_single_row(first_row)
        self._write = self._ws.fh.write

    def row(self, row: int, cells: list[tuple[int, str]], height: float | None = None) -> None:
        """One row; `height` in points, as `Worksheet.set_row` takes it (None: the default)."""
        number = str(row + 1)
        names = self._names
        head = f'<row r="{number}"'
        if height is not None:
            head += self._height(height)
        self._write(
            head
            + ">"
            + "".join(f'<c r="{names[col]}{number}"{rest}' for col, rest in cells)
            + "</row>"
        )
        if self._first < 0:
            self._first = row
        self._last = row
        if cells:
            self._min_col = min(self._min_col, cells[0][0])
            self._max_col = max(self._max_col, cells[-1][0])

    def _height(self, height: float) -> str:
        attrs = self._heights.get(height)
        if attrs is None:
            ws = self._ws
            pixels = int(height * 4.0 / 3.0 + 0.5)  # set_row's rounding
            if pixels != ws.original_row_height or pixels != ws.default_row_height:
                attrs = f' ht="{pixels * 0.75:.16g}" customHeight="1"'
            else:
                attrs = ""
            self._heights[height] = attrs
        return attrs

    def finish(self) -> None:
        """Hand the sheet back to XlsxWriter, its dimensions covering the rows written."""
        ws = self._ws
        if self._last >= 0:
            ws.previous_row = self._last + 1  # nothing pending: the last flush writes nothing
            if ws.dim_rowmax is None or ws.dim_rowmax < self._last:
                ws.dim_rowmax = self._last
            if ws.dim_rowmin is None:
                ws.dim_rowmin = self._first
        if self._max_col >= 0:
            if ws.dim_colmin is None or ws.dim_colmin > self._min_col:
                ws.dim_colmin = self._min_col
            if ws.dim_colmax is None or ws.dim_colmax < self._max_col:
                ws.dim_colmax = self._max_col
