"""The synthesis sheets about content: "Idées récurrentes" and "Éléments retenus".

The ideas sheet is small (one row per group), written in the normal (not constant-memory)
mode of its worksheet. The shortlisted items are spooled while the region sheets stream and
written at the end, section by kind, in constant-memory mode: there can be hundreds of
thousands. Text reaches cells only
through `Formats.prepare`/`put_text` (cleaned, never a formula).
"""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any, cast

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.data import IdeaGroupRow
from feedback_app.exports.labels import Labels
from feedback_app.exports.rows_xml import RowWriter, number_cell, string_cell
from feedback_app.exports.styles import (
    Formats,
    fit_height,
    fit_widths,
    lines_height,
    put_text,
    text_lines,
    write_header,
)

IDEA_COLUMNS = (
    "number",
    "title",
    "title_other",
    "kind",
    "items",
    "organisations",
    "categories",
    "regions",
    "themes",
    "quote_1",
    "quote_2",
    "quote_3",
)
RETAINED_COLUMNS = (
    "region",
    "date",
    "city",
    "organisation",
    "category",
    "theme",
    "text",
    "priority",
    "group",
    "reference",
)
_TEXT_CAP = 50
# Columns of small vocabularies in the shortlisted sheet (not the text, organisation, reference).
_REPEATING = frozenset(
    RETAINED_COLUMNS.index(name) for name in ("region", "city", "category", "theme", "priority")
)
_TITLE_CAP = 45


def write_ideas(
    ws: Worksheet, formats: Formats, labels: Labels, ideas: tuple[IdeaGroupRow, ...]
) -> None:
    """One row per recurring idea, heaviest first, under a title row."""
    ws.constant_memory = False  # a small sheet, written in the normal mode
    ws.write_string(0, 0, labels["ideas_title"], formats.get("section"))
    headers = [labels.column(c) for c in IDEA_COLUMNS]
    write_header(ws, 1, headers, formats.get("header"))
    ws.freeze_panes(2, 2)
    ws.repeat_rows(1)
    widths = [len(h) for h in headers]
    if not ideas:
        put_text(ws, formats, 2, 0, labels["ideas_none"])
    texts: list[list[tuple[int, str]]] = []
    for row, idea in enumerate(ideas, start=2):
        # IDEA_COLUMNS in order: the counts as numbers, the texts wrapped.
        # The title in the workbook's language (a person's wins), the other language beside it.
        cells: list[int | str] = [idea.number, labels.idea_title(idea.titles)]
        cells += [labels.other_title(idea.titles), labels.kind(idea.kind), idea.items]
        cells += [
            idea.organisations,
            *map(labels.join, (idea.categories, idea.regions, idea.themes)),
        ]
        texts.append([])
        for col, value in enumerate([*cells, *(q.text for q in idea.quotes[:3])]):
            if isinstance(value, int):
                ws.write_number(row, col, value, formats.number)
            else:
                widths[col] = max(widths[col], put_text(ws, formats, row, col, value, "wrap"))
                texts[-1].append((col, value))
    if ideas:
        ws.autofilter(1, 0, 1 + len(ideas), len(headers) - 1)
    final = fit_widths(
        ws,
        widths,
        caps={
            1: _TITLE_CAP,
            2: _TITLE_CAP,
            6: 28,
            7: 28,
            8: 28,
            9: _TEXT_CAP,
            10: _TEXT_CAP,
            11: _TEXT_CAP,
        },
        minimum=6,
    )
    for row, cells_of_row in enumerate(texts, start=2):
        fit_height(ws, row, ((text, final[col]) for col, text in cells_of_row))


class RetainedRows:
    """Shortlisted items gathered during the streaming pass, written by kind at the end.

    They are spooled to a temporary file per kind rather than held: a national tour has
    hundreds of thousands of them, and memory must not grow with the items. A row is
    (region, date serial, city, organisation, category, theme, text, priority, group number,
    reference), each text a prepared (text, format) pair or None, numbers as ints.
    """

    def __init__(self, tmpdir: str | None = None) -> None:
        self._tmpdir = tmpdir
        self._files: dict[str, IO[bytes]] = {}
        self._counts: Counter[str] = Counter()
        self._formats: list[Format] = []
        self._format_ids: dict[int, int] = {}
        # The longest text seen in each column, for the widths (set before the rows).
        self.widths = [0] * len(RETAINED_COLUMNS)

    def add(self, kind: str, row: tuple[object, ...]) -> None:
        spooled: list[Any] = []
        for col, value in enumerate(row):
            if isinstance(value, tuple):
                text, fmt = value
                number = self._format_ids.get(id(fmt))
                if number is None:
                    number = self._format_ids[id(fmt)] = len(self._formats)
                    self._formats.append(fmt)
                if len(text) > self.widths[col]:
                    self.widths[col] = len(text)
                spooled.append((text, number))
            else:
                spooled.append(value)
        spool = self._files.get(kind)
        if spool is None:
            # Closed by `close()`, which the builder calls whatever happens.
            spool = self._files[kind] = tempfile.TemporaryFile(dir=self._tmpdir)  # noqa: SIM115
        pickle.dump(tuple(spooled), spool, protocol=pickle.HIGHEST_PROTOCOL)
        self._counts[kind] += 1

    def rows(self, kind: str) -> Iterator[tuple[object, ...]]:
        """The kind's rows in the order they were added, formats given back."""
        spool = self._files.get(kind)
        if spool is None:
            return
        spool.seek(0)
        formats = self._formats
        for _ in range(self._counts[kind]):
            row = pickle.load(spool)  # written by `add` in this build, never foreign
            yield tuple(
                (value[0], formats[value[1]]) if isinstance(value, tuple) else value
                for value in row
            )

    def count_of(self, kind: str) -> int:
        return self._counts[kind]

    @property
    def count(self) -> int:
        return sum(self._counts.values())

    def close(self) -> None:
        for spool in self._files.values():
            spool.close()
        self._files.clear()


def write_retained(ws: Worksheet, formats: Formats, labels: Labels, retained: RetainedRows) -> None:
    """One header row (repeated on every printed page), then a section per kind (needs,
    opportunities, challenges, proposals) under its title.

    Written in constant-memory mode like the region sheets, row by row from the spool: the
    widths are known before the first row (`RetainedRows.widths`), so each row's height too.
    """
    ws.write_string(0, 0, labels["retained_title"], formats.get("section"))
    headers = [labels.column(c) for c in RETAINED_COLUMNS]
    write_header(ws, 1, headers, formats.get("header"))
    ws.freeze_panes(2, 0)
    ws.repeat_rows(1)
    widths = [max(len(h), seen) for h, seen in zip(headers, retained.widths, strict=True)]
    widths[1] = max(widths[1], 10)
    final = fit_widths(ws, widths, caps={6: _TEXT_CAP}, minimum=6)
    if not retained.count:
        put_text(ws, formats, 2, 0, labels["retained_none"])
        return
    writer = RowWriter(ws, len(RETAINED_COLUMNS))
    writer.start(2)
    section = formats.get("section")
    # Values of small vocabularies repeat: their cell XML and wrapped lines are made once.
    repeated: dict[tuple[int, str, int], tuple[str, int]] = {}
    row = 1
    for kind in labels.kinds:
        total = retained.count_of(kind)
        if not total:
            continue
        row += 1
        writer.row(row, [(0, string_cell(f"{labels.kind_plural(kind)} ({total})", section))])
        for values in retained.rows(kind):
            row += 1
            cells: list[tuple[int, str]] = []
            lines = 1
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int) and not isinstance(value, bool):
                    cells.append(
                        (col, number_cell(value, formats.date if col == 1 else formats.number))
                    )
                    continue
                text, fmt = cast(tuple[str, Format], value)  # a prepared string cell
                key = (col, text, id(fmt))
                made = repeated.get(key) if col in _REPEATING else None
                if made is None:
                    made = (string_cell(text, fmt), text_lines(text, final[col]) if text else 1)
                    if col in _REPEATING:
                        repeated[key] = made
                cells.append((col, made[0]))
                lines = max(lines, made[1])
            writer.row(row, cells, lines_height(lines) if lines > 1 else None)
    writer.finish()
