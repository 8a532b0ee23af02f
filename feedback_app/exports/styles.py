"""Cell formats, and the one way text reaches a cell (cleaned, direction set, never a formula)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.cells import clean_text, is_rtl, looks_like_formula

NAVY = "#1F4E78"
_BASES: dict[str, dict[str, Any]] = {
    "cell": {"valign": "top"},
    "wrap": {"valign": "top", "text_wrap": True},
    "header": {
        "bold": True,
        "text_wrap": True,
        "valign": "top",
        "font_color": "#FFFFFF",
        "bg_color": NAVY,
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "title": {"bold": True, "font_size": 16, "font_color": NAVY},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "section": {"bold": True, "font_size": 12, "font_color": NAVY},
    "label": {"bold": True, "valign": "top", "text_wrap": True},
    "total": {"bold": True, "top": 1, "valign": "top"},
}


class Formats:
    """Formats are made once per (base, right-to-left, quote prefix) and reused."""

    def __init__(self, workbook: Workbook, date_format: str) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[str, bool, bool], Format] = {}
        self.date = workbook.add_format({"num_format": date_format, "valign": "top"})
        self.number = workbook.add_format({"num_format": "#,##0", "valign": "top"})
        self.total_number = workbook.add_format({"num_format": "#,##0", "bold": True, "top": 1})

    def marked(self, mark: str) -> Format:
        """A number shown with `mark` after it, bold on a light fill (the map's marked cells):
        the value stays a number."""
        key = (f"marked:{mark}", False, False)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self._workbook.add_format(
                {"num_format": f'0" {mark}"', "bold": True, "bg_color": "#FCE4D6", "valign": "top"}
            )
        return fmt

    def get(self, base: str, rtl: bool = False, quote: bool = False) -> Format:
        key = (base, rtl, quote)
        fmt = self._cache.get(key)
        if fmt is None:
            props = dict(_BASES[base])
            if rtl:
                # Arabic text reads right to left in its cell, whatever the sheet's direction;
                # other text keeps Excel's "context" order (decided by its first letter).
                props["reading_order"] = 2
            if quote:
                props["quote_prefix"] = True
            fmt = self._cache[key] = self._workbook.add_format(props)
        return fmt

    def prepare(self, value: str, base: str = "cell") -> tuple[str, Format]:
        """The cleaned text and its format, for text that may come from anyone."""
        value = clean_text(value)
        return value, self.get(base, is_rtl(value), looks_like_formula(value))


def put_text(
    ws: Worksheet, formats: Formats, row: int, col: int, value: str | None, base: str = "cell"
) -> int:
    """Write text as a string cell (never a formula); returns its length for column widths."""
    if not value:
        return 0
    text, fmt = formats.prepare(value, base)
    if text:
        ws.write_string(row, col, text, fmt)
    return len(text)


def write_header(ws: Worksheet, row: int, headers: list[str], fmt: Format) -> None:
    """A row of column headers, tall enough for two lines."""
    ws.set_row(row, 30)
    for col, header in enumerate(headers):
        ws.write_string(row, col, header, fmt)


def fit_widths(
    ws: Worksheet,
    widths: list[int],
    *,
    minimum: int = 8,
    caps: dict[int, int] | None = None,
    default_cap: int = 40,
) -> list[int]:
    """Column widths that fit the longest value seen, within a cap (long text wraps); returns
    the widths set, for `fit_height`."""
    caps = caps or {}
    final = [
        max(minimum, min(width + 2, caps.get(col, default_cap))) for col, width in enumerate(widths)
    ]
    for col, width in enumerate(final):
        ws.set_column(col, col, width)
    return final


# Row heights for wrapped text. Neither XlsxWriter nor the xlsx format computes them: a viewer
# that opens the file may (Excel does on some edits), but a printed sheet keeps the stored
# height and a wrapped cell at the default 15 points shows its first line only. A unit of column
# width is the width of a "0" in Calibri 11 (7 px); French or Arabic prose averages about 5.3 px
# a character, about 1.3 characters a unit less the word that wraps early. The estimate counts
# 1.15 (measured on LibreOffice's print: 1.25 to 1.3): a little blank space rather than a line
# cut when a text has many capitals.
LINE_POINTS = 15.0
MAX_ROW_POINTS = 409.0  # Excel's limit for one row


def text_lines(text: str, width: float) -> int:
    """How many lines `text` takes once wrapped in a column `width` units wide."""
    per_line = max(1, int(width * 1.15))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def lines_height(lines: int) -> float:
    """The row height in points for `lines` lines of 11-point text (within Excel's limit)."""
    return min(MAX_ROW_POINTS, LINE_POINTS * lines + (3 if lines > 1 else 0))


def fit_height(ws: Worksheet, row: int, cells: Iterable[tuple[str, float]]) -> None:
    """Make `row` tall enough for each (text, column width) of its wrapped cells."""
    lines = max((text_lines(text, width) for text, width in cells if text), default=1)
    if lines > 1:
        ws.set_row(row, lines_height(lines))


def split_lines(text: str, width: float, max_lines: int) -> list[str]:
    """`text` cut at line or word boundaries into pieces of at most `max_lines` wrapped lines,
    each for its own row: one row cannot be taller than 409 points (about 27 lines)."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        for word in paragraph.split(" "):
            joined = (
                f"{current} {word}" if current and not current.endswith("\n") else current + word
            )
            if current and text_lines(joined, width) > max_lines:
                pieces.append(current.rstrip("\n"))
                joined = word
            current = joined
        current += "\n"
    if current.strip():
        pieces.append(current.rstrip("\n"))
    return pieces or [text]
