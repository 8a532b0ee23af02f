"""The Excel synthesis, built by one pure function from query results.

Writer chosen by measurement (bench/export.py): XlsxWriter in constant-memory mode, written
cell by cell — each sheet keeps one row in memory, so memory stays flat in the number of
items, and it is faster than openpyxl's write-only mode. (Never pandas with constant_memory:
it silently drops data.) Every cell from user text is a string cell: no formula can exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO

import xlsxwriter
from xlsxwriter.workbook import Workbook

from feedback_app.exports.brief_sheet import brief_sheet_name, write_brief
from feedback_app.exports.cells import sheet_name
from feedback_app.exports.commitment_sheet import write_commitments
from feedback_app.exports.data import ProgressCallback, WorkbookData
from feedback_app.exports.idea_sheets import RetainedRows, write_ideas, write_retained
from feedback_app.exports.labels import Labels
from feedback_app.exports.map_sheet import write_map
from feedback_app.exports.region_sheets import write_region_sheets
from feedback_app.exports.styles import Formats
from feedback_app.exports.summary_sheets import print_setup, write_about, write_synthesis


@dataclass
class BuildResult:
    rows: dict[str, int]  # region slug -> item rows written


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
    labels = Labels(language, data.code_words)
    options: dict[str, object] = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    if tmpdir:
        options["tmpdir"] = tmpdir
    with open_workbook(out, options) as wb:
        return _write(wb, data, labels, progress, tmpdir)


@contextmanager
def open_workbook(
    out: str | os.PathLike[str] | IO[bytes], options: dict[str, object]
) -> Iterator[Workbook]:
    """An XlsxWriter workbook that is closed on success and discarded on any failure.

    In constant-memory mode each sheet keeps an open temporary file until `close()`; a build
    that stops half-way (a full disk, an erasure, a bug) must let go of them, or their space
    stays taken after they are deleted and every later build fails too.
    """
    wb = xlsxwriter.Workbook(out, options)
    try:
        yield wb
        wb.close()  # may fail too (FileCreateError around the OSError): discarded below
    except BaseException:
        _discard(wb)
        raise


def _discard(wb: Workbook) -> None:
    """Close every file handle the workbook still holds, without writing anything more."""
    wb.fileclosed = True  # no second attempt, no warning from its destructor
    handles = [getattr(wb, "fh", None)]
    for ws in wb.worksheets():
        handles += [getattr(ws, "row_data_fh", None), getattr(ws, "fh", None)]
        ws.row_data_fh_closed = True
    for handle in handles:
        if handle is not None and not getattr(handle, "closed", True):
            # Closing flushes what is buffered, which fails again on a full disk; the file
            # descriptor is released all the same, and the next handle must be closed too.
            with suppress(OSError, ValueError):
                handle.close()


def _write(
    wb: Workbook,
    data: WorkbookData,
    labels: Labels,
    progress: ProgressCallback | None,
    tmpdir: str | None,
) -> BuildResult:
    wb.set_properties(
        {"title": labels["title"], "author": data.generated_by[:255], "comments": "Tournée"}
    )
    formats = Formats(wb, labels["date_format"])
    taken: set[str] = set()
    syn = data.synthesis

    summary = wb.add_worksheet(sheet_name(labels["sheet_synthesis"], taken))
    ideas_ws = wb.add_worksheet(sheet_name(labels["sheet_ideas"], taken))
    map_ws = wb.add_worksheet(sheet_name(labels["sheet_map"], taken))
    region_sheets = {r.slug: wb.add_worksheet(sheet_name(r.name, taken)) for r in syn.regions}
    retained_ws = wb.add_worksheet(sheet_name(labels["sheet_proposals"], taken))
    commitments_ws = wb.add_worksheet(sheet_name(labels["sheet_commitments"], taken))
    briefs = [data.briefs[r.slug] for r in syn.regions if r.slug in data.briefs]
    brief_sheets = [
        wb.add_worksheet(sheet_name(brief_sheet_name(b, labels), taken)) for b in briefs
    ]
    about = wb.add_worksheet(sheet_name(labels["sheet_about"], taken))

    write_synthesis(wb, summary, formats, labels, data)
    for brief, brief_ws in zip(briefs, brief_sheets, strict=True):
        write_brief(brief_ws, formats, labels, brief, data.generated_at.tzinfo)
    write_ideas(ideas_ws, formats, labels, data.ideas)
    print_setup(ideas_ws, labels)
    write_map(map_ws, formats, labels, data.idea_map)
    print_setup(map_ws, labels)
    write_about(
        about, formats, labels, data, syn.categories, [ws.name for ws in region_sheets.values()]
    )
    print_setup(retained_ws, labels)
    write_commitments(commitments_ws, formats, labels, data.commitments)
    print_setup(commitments_ws, labels)

    retained = RetainedRows(tmpdir)
    try:
        rows = write_region_sheets(region_sheets, formats, labels, data, retained, progress)
        write_retained(retained_ws, formats, labels, retained)
    finally:
        retained.close()
    return BuildResult(rows)
