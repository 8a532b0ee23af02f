"""The synthesis sheets about content: "Idées récurrentes" and "Éléments retenus".

Both are small (one row per group, one per shortlisted item), so they are written in the
normal (not constant-memory) mode of their worksheet: the shortlisted items are gathered while
the region sheets stream and written at the end, section by kind. Text reaches cells only
through `Formats.prepare`/`put_text` (cleaned, never a formula).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.data import IdeaGroupRow
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, fit_height, fit_widths, put_text, write_header

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


@dataclass
class RetainedRows:
    """Shortlisted items gathered during the streaming pass, written by kind at the end."""

    by_kind: dict[str, list[tuple[object, ...]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, row: tuple[object, ...]) -> None:
        self.by_kind[kind].append(row)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.by_kind.values())


def write_retained(ws: Worksheet, formats: Formats, labels: Labels, retained: RetainedRows) -> None:
    """One header row (repeated on every printed page), then a section per kind (needs,
    opportunities, challenges, proposals) under its title.

    A row is (region, date serial, city, organisation, category, theme, text, priority,
    group number, reference), the texts already prepared by the builder's `prepare`.
    """
    ws.constant_memory = False
    ws.write_string(0, 0, labels["retained_title"], formats.get("section"))
    headers = [labels.column(c) for c in RETAINED_COLUMNS]
    write_header(ws, 1, headers, formats.get("header"))
    ws.freeze_panes(2, 0)
    ws.repeat_rows(1)
    widths = [len(h) for h in headers]
    row = 1
    if not retained.count:
        put_text(ws, formats, 2, 0, labels["retained_none"])
    texts: dict[int, list[tuple[int, str]]] = {}
    for kind in labels.kinds:
        rows = retained.by_kind.get(kind)
        if not rows:
            continue
        row += 1
        ws.write_string(row, 0, f"{labels.kind_plural(kind)} ({len(rows)})", formats.get("section"))
        for values in rows:
            row += 1
            texts[row] = []
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(row, col, value, formats.date if col == 1 else formats.number)
                    continue
                text, fmt = cast(tuple[str, object], value)  # a prepared string cell
                ws.write_string(row, col, text, fmt)
                widths[col] = max(widths[col], len(text))
                texts[row].append((col, text))
    widths[1] = max(widths[1], 10)
    final = fit_widths(ws, widths, caps={6: _TEXT_CAP}, minimum=6)
    for row, cells in texts.items():
        fit_height(ws, row, ((text, final[col]) for col, text in cells))
