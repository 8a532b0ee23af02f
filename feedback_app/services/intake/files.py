"""Reading an uploaded intake file into a plain table, refusing hostile files as it reads.

Before any parser sees the bytes: the size, the real type behind the extension (magic bytes),
and workbooks that are password-protected (an OLE/CFB container instead of a zip). Then every
limit is enforced while reading, on what the file really holds, never on what it declares: zip
members are inflated under running caps (archive.py), the first sheet's XML is streamed and
refused at the first cell beyond the row or column limit (sheet_xml.py) before calamine, which
builds a dense grid, is given the file; a CSV is decoded strictly and read no further than the
row limit (csv_text.py). Cells are read as values; a formula is never evaluated: its text is
taken, as typed, and the exports neutralise it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l

from feedback_app.services.intake.archive import Archive
from feedback_app.services.intake.csv_text import read_csv_rows
from feedback_app.services.intake.refusal import FileRefused, unreadable_workbook
from feedback_app.services.intake.sheet_xml import (
    Bounds,
    first_xlsx_sheet,
    scan_ods_table,
    scan_xlsx_sheet,
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 5000
EXTENSIONS = (".xlsx", ".ods", ".csv")
# The template has 11 columns; a sheet exported from another tool may carry a few more, which
# the header matching ignores. Beyond this, a column is not a paper form's.
MAX_COLUMNS = 64
# Rows (sheet rows, CSV records) beyond the body rows allowed: the header, the template's
# example row, blank rows. Beyond, the file is refused before it is read any further.
_SPARE_ROWS = 100
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Table:
    """The first sheet as text: its header cells, then each row with its sheet row number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(
    data: bytes,
    file_name: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Table:
    """Raise FileRefused for anything unsafe or unreadable; else the sheet's cells as text."""
    if len(data) > max_bytes:
        raise FileRefused(
            _l("Fichier trop volumineux : %(max)d Mo au plus.", max=max_bytes // (1024 * 1024))
        )
    if not data:
        raise FileRefused(_l("Le fichier est vide."))
    extension = PurePath(file_name.lower()).suffix
    if extension == ".xlsm" or extension not in EXTENSIONS:
        raise FileRefused(_l("Format non pris en charge : .xlsx, .ods ou .csv attendu."))
    if data.startswith(_OLE_MAGIC):
        raise FileRefused(
            _l(
                "Classeur protégé par mot de passe ou ancien format .xls : enregistrez-le en "
                ".xlsx sans mot de passe."
            )
        )
    if extension == ".csv":
        if data.startswith(_ZIP_MAGIC):
            raise FileRefused(_l("Ce fichier n'est pas un vrai fichier .csv."))
        rows = read_csv_rows(data, max_rows, max_records=max_rows + _SPARE_ROWS)
        return _as_table(rows, max_rows)
    bounds = Bounds(rows=max_rows + _SPARE_ROWS, columns=MAX_COLUMNS, max_rows=max_rows)
    grid = _read_workbook(data, extension, bounds)
    return _as_table(enumerate(grid, start=1), max_rows)


def _read_workbook(data: bytes, extension: str, bounds: Bounds) -> list[list[Any]]:
    """The first sheet's cells, once the whole archive has been checked within its caps."""
    if not data.startswith(_ZIP_MAGIC):
        raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=extension))
    archive = Archive(data)
    names = archive.names
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        "[Content_Types].xml" in names and b"macroEnabled" in archive.read("[Content_Types].xml")
    ):
        raise FileRefused(_l("Classeur avec macros refusé : enregistrez-le en .xlsx sans macros."))
    formulas: dict[tuple[int, int], str] = {}
    if extension == ".ods":
        if (
            "mimetype" not in names
            or "content.xml" not in names
            or not archive.read("mimetype").startswith(_ODS_MIMETYPE)
        ):
            raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=".ods"))
        scan_ods_table(archive.stream("content.xml"), bounds)
    else:
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=".xlsx"))
        formulas = scan_xlsx_sheet(archive.stream(_first_sheet(archive)), bounds)
    archive.check_all()
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=0, header=None, engine="calamine", dtype=object
        )
    except Exception as error:  # calamine raises its own family of errors for broken files
        raise unreadable_workbook() from error
    grid: list[list[Any]] = frame.values.tolist()
    for (row, column), text in formulas.items():
        if row < len(grid) and column < len(grid[row]):
            grid[row][column] = text
    return grid


def _first_sheet(archive: Archive) -> str:
    """The first sheet's path, as calamine resolves it (workbook.xml, then its relationships)."""
    relationships = "xl/_rels/workbook.xml.rels"
    if relationships not in archive.names:
        raise unreadable_workbook()
    path = first_xlsx_sheet(archive.stream("xl/workbook.xml"), archive.stream(relationships))
    if path is None or path not in archive.names:
        raise unreadable_workbook()
    return path


def _as_table(numbered: Iterable[tuple[int, Sequence[Any]]], max_rows: int) -> Table:
    rows: list[tuple[int, list[str]]] = []
    for number, row in numbered:
        cells = [cell_text(value) for value in row]
        if any(cells):
            rows.append((number, cells))
            if len(rows) > max_rows + 1:
                break
    if not rows:
        raise FileRefused(_l("Le fichier ne contient aucune ligne."))
    (_, header), body = rows[0], rows[1:]
    if len(body) > max_rows:
        raise FileRefused(_l("Trop de lignes : %(max)d au plus par fichier.", max=max_rows))
    return Table(header=header, rows=body)


def cell_text(value: Any) -> str:
    """A cell as the text a person sees (calamine returns whole numbers as floats)."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: an empty cell
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return str(value.date().isoformat() if value == value.normalize() else value.isoformat())
    return str(value).strip()
