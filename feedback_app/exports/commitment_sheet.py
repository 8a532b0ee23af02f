"""The "Engagements" sheet: per region, what was decided, the ideas it answers, its status,
progress and the latest public reason. Small (one row per commitment): normal mode."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.data import CommitmentRow
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, fit_widths, put_text, write_header

COMMITMENT_COLUMNS = (
    "region",
    "commitment",
    "owner",
    "linked_ideas",
    "commitment_status",
    "progress",
    "last_reason",
)


def write_commitments(
    ws: Worksheet, formats: Formats, labels: Labels, rows: tuple[CommitmentRow, ...]
) -> None:
    ws.constant_memory = False
    ws.write_string(0, 0, labels["commitments_title"], formats.get("section"))
    headers = [labels.column(c) for c in COMMITMENT_COLUMNS]
    write_header(ws, 1, headers, formats.get("header"))
    ws.freeze_panes(2, 2)
    ws.repeat_rows(1)
    widths = [len(h) for h in headers]
    if not rows:
        put_text(ws, formats, 2, 0, labels["commitments_none"])
    for row, c in enumerate(rows, start=2):
        texts = [
            c.region or labels["national"],
            c.title,
            c.owner,
            "\n".join(c.ideas),
            labels.commitment_status(c.status),
        ]
        for col, value in enumerate(texts):
            widths[col] = max(widths[col], put_text(ws, formats, row, col, value, "wrap"))
        ws.write_number(row, 5, c.progress, formats.number)
        widths[6] = max(widths[6], put_text(ws, formats, row, 6, c.last_reason, "wrap"))
    if rows:
        ws.autofilter(1, 0, 1 + len(rows), len(headers) - 1)
    fit_widths(ws, widths, caps={0: 24, 1: 45, 2: 28, 3: 45, 6: 50}, minimum=6)
