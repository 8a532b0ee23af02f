"""Reading an uploaded intake file into a plain table, refusing hostile files before parsing.

What is checked before any parser sees the bytes: the size, the real type behind the extension
(magic bytes), workbooks that carry macros or are password-protected (an OLE/CFB container
instead of a zip), and zip bombs (declared sizes and compression ratios). Cells are read as
values; a formula is never evaluated: its text is taken, as typed, and the exports neutralise it.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l

from feedback_app.services.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 5000
EXTENSIONS = (".xlsx", ".ods", ".csv")
# Uncompressed, a real intake sheet of 5,000 rows is a few megabytes; a bomb is gigabytes.
_MAX_UNCOMPRESSED = 100 * 1024 * 1024
_MAX_RATIO = 200
_MAX_ZIP_MEMBERS = 1000
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_FORMULA_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"[^>]*?>\s*<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)', re.DOTALL
)


class FileRefused(DomainError):
    """The file cannot be read safely; `message` says why, for the person who sent it."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


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
        if data.startswith(_ZIP_MAGIC) or b"\x00" in data[:4096]:
            raise FileRefused(_l("Ce fichier n'est pas un vrai fichier .csv."))
        grid = _read_csv(data)
    else:
        formulas = _inspect_zip(data, extension)
        grid = _read_workbook(data, formulas)
    return _as_table(grid, max_rows)


def _inspect_zip(data: bytes, extension: str) -> dict[tuple[int, int], str]:
    """Check the container without inflating it; return the first sheet's formulas as text."""
    if not data.startswith(_ZIP_MAGIC):
        raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=extension))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileRefused(_l("Classeur illisible ou endommagé.")) from error
    with archive:
        names = {member.filename for member in members}
        total = sum(member.file_size for member in members)
        if (
            len(members) > _MAX_ZIP_MEMBERS
            or total > _MAX_UNCOMPRESSED
            or any(m.file_size > _MAX_RATIO * max(m.compress_size, 1) for m in members)
        ):
            raise FileRefused(
                _l("Classeur refusé : son contenu décompressé est anormalement gros.")
            )
        if any(name.lower().endswith("vbaproject.bin") for name in names) or (
            "[Content_Types].xml" in names
            and b"macroEnabled" in archive.read("[Content_Types].xml")
        ):
            raise FileRefused(
                _l("Classeur avec macros refusé : enregistrez-le en .xlsx sans macros.")
            )
        if extension == ".ods":
            if "mimetype" not in names or not archive.read("mimetype").startswith(_ODS_MIMETYPE):
                raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=".ods"))
            return {}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRefused(_l("Ce fichier n'est pas un vrai classeur %(ext)s.", ext=".xlsx"))
        if "xl/worksheets/sheet1.xml" not in names:
            return {}
        return _formula_texts(archive.read("xl/worksheets/sheet1.xml").decode("utf-8", "replace"))


def _formula_texts(sheet_xml: str) -> dict[tuple[int, int], str]:
    """(row index, column index) -> "=formula" for every formula cell, 0-based."""
    formulas: dict[tuple[int, int], str] = {}
    for match in _FORMULA_CELL.finditer(sheet_xml):
        letters, number, text = match.groups()
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - ord("A") + 1
        formulas[(int(number) - 1, column - 1)] = "=" + html.unescape(text or "")
    return formulas


def _read_workbook(data: bytes, formulas: dict[tuple[int, int], str]) -> list[list[Any]]:
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=0, header=None, engine="calamine", dtype=object
        )
    except Exception as error:  # calamine raises its own family of errors for broken files
        raise FileRefused(_l("Classeur illisible ou endommagé.")) from error
    grid: list[list[Any]] = frame.values.tolist()
    for (row, column), text in formulas.items():
        if row < len(grid) and column < len(grid[row]):
            grid[row][column] = text
    return grid


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileRefused(_l("Fichier .csv illisible.")) from error
    grid: list[list[Any]] = frame.values.tolist()
    return grid


def _as_table(grid: Sequence[Sequence[Any]], max_rows: int) -> Table:
    rows = [(number, [cell_text(v) for v in row]) for number, row in enumerate(grid, start=1)]
    rows = [(number, cells) for number, cells in rows if any(cells)]
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
