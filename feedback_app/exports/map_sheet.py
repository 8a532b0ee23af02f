"""The "Carte des idées" sheet: idea groups × regions, what is national and what is regional.

One row per group (widest first, then heaviest, as `IdeaMap` orders them), one column per
region it was heard in: the cell holds the distinct organisations that said it there, a
number, and a region that says it markedly more than the nation (exports/data.MapCell.marked)
shows it with "▲" through the cell's number format and a bold fill, so the value stays a
number Excel sorts and sums. Small (a row per group): written in the normal mode.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.data import IdeaMap
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, fit_widths, put_text, write_header

MAP_COLUMNS = ("number", "title", "title_other", "kind", "reach", "breadth", "organisations")
MARK = "▲"
_TITLE_CAP = 45


def write_map(ws: Worksheet, formats: Formats, labels: Labels, idea_map: IdeaMap) -> None:
    ws.constant_memory = False  # a small sheet, written in the normal mode
    ws.write_string(0, 0, labels["map_title"], formats.get("section"))
    put_text(ws, formats, 1, 0, labels["map_legend"], "subtitle")
    headers = [labels.column(c) for c in MAP_COLUMNS] + [name for _slug, name in idea_map.regions]
    write_header(ws, 2, headers, formats.get("header"))
    ws.freeze_panes(3, 2)
    ws.repeat_rows(2)
    widths = [len(h) for h in headers]
    if not idea_map.rows:
        put_text(ws, formats, 3, 0, labels["map_none"])
    plain = formats.number
    marked = formats.marked(MARK)
    first_region = len(MAP_COLUMNS)
    for row, group in enumerate(idea_map.rows, start=3):
        ws.write_number(row, 0, group.number, plain)
        texts = (
            labels.idea_title(group.titles),
            labels.other_title(group.titles),
            labels.kind(group.kind),
            labels[f"reach_{group.reach}"],
        )
        for col, text in enumerate(texts, start=1):
            widths[col] = max(widths[col], put_text(ws, formats, row, col, text, "wrap"))
        ws.write_number(row, 5, group.breadth, plain)
        ws.write_number(row, 6, group.organisations, plain)
        for col, (slug, _name) in enumerate(idea_map.regions, start=first_region):
            cell = group.cells.get(slug)
            if cell is not None:
                ws.write_number(row, col, cell.organisations, marked if cell.marked else plain)
    if idea_map.rows:
        last = 2 + len(idea_map.rows)
        ws.autofilter(2, 0, last, len(headers) - 1)
    fit_widths(ws, widths, caps={1: _TITLE_CAP, 2: _TITLE_CAP}, minimum=6)
