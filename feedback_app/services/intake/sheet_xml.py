"""The first sheet's XML read as a stream, refusing cells out of bounds before any reader sees it.

python-calamine builds a dense grid as large as the furthest cell (or the declared dimension): one
cell at XFD1048576 asks for ~550 GB and aborts the process with nothing to catch (PITFALLS.md).
So every `<dimension ref>`, `<row r>` and `<c r>` of an .xlsx sheet, and every row and cell of an
.ods table (with their repeat counts), is checked here with expat, chunk by chunk, holding no
tree; the first cell beyond `Bounds` stops the reading. A document type declaration (the door to
entity expansion) is refused: spreadsheets never carry one. The .xlsx scan also collects the
text of formula cells, which calamine would replace with their last computed value.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from feedback_app.services.intake.refusal import FileRefused, unreadable_workbook

_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_MAX_FORMULA = 32_767  # a cell holds no more characters


@dataclass(frozen=True)
class Bounds:
    """The furthest row and column (1-based) a cell may use."""

    rows: int
    columns: int
    max_rows: int  # the body rows allowed, as the person was told

    def check(self, row: int, column: int) -> None:
        if column > self.columns:
            raise FileRefused(
                _l(
                    "Trop de colonnes : %(max)d au plus (une cellule est utilisée en %(cell)s).",
                    max=self.columns,
                    cell=cell_name(row, column),
                )
            )
        if row > self.rows:
            raise FileRefused(
                _l(
                    "Trop de lignes : %(max)d au plus par fichier (une cellule est utilisée en "
                    "%(cell)s).",
                    max=self.max_rows,
                    cell=cell_name(row, column),
                )
            )


def cell_name(row: int, column: int) -> str:
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters}{row}"


def _position(reference: str) -> tuple[int, int]:
    """(row, column) of "K12"; FileRefused when it is not a cell reference."""
    match = _REFERENCE.fullmatch(reference.strip())
    if match is None:
        raise unreadable_workbook()
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


def _local(attributes: Mapping[str, str]) -> dict[str, str]:
    """Attributes by local name (expat reports "namespace-uri name")."""
    return {key.rsplit(" ", 1)[-1]: value for key, value in attributes.items()}


def _parse(
    chunks: Iterable[bytes],
    start: Callable[..., Any],
    end: Callable[..., Any],
    text: Callable[[str], Any] | None = None,
) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text

    def no_doctype(*_: object) -> None:
        raise unreadable_workbook()

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise unreadable_workbook() from error


def scan_xlsx_sheet(chunks: Iterable[bytes], bounds: Bounds) -> dict[tuple[int, int], str]:
    """(row index, column index) -> "=formula" for every formula cell, 0-based."""
    formulas: dict[tuple[int, int], str] = {}
    state = {"row": 0, "column": 0}
    formula: list[str] | None = None
    formula_length = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal formula, formula_length
        local = name.rsplit(" ", 1)[-1]
        if local == "c":
            reference = _local(attributes).get("r")
            if reference:
                state["row"], state["column"] = _position(reference)
            else:
                state["column"] += 1
            bounds.check(state["row"], state["column"])
        elif local == "row":
            number = _local(attributes).get("r")
            state["row"] = int(number) if number and number.isdigit() else state["row"] + 1
            state["column"] = 0
            bounds.check(state["row"], 1)
        elif local == "dimension":
            reference = _local(attributes).get("ref", "A1")
            bounds.check(*_position(reference.rsplit(":", 1)[-1]))
        elif local == "f":
            formula, formula_length = [], 0

    def text(data: str) -> None:
        nonlocal formula_length
        if formula is not None and formula_length < _MAX_FORMULA:
            formula.append(data)
            formula_length += len(data)

    def end(name: str) -> None:
        nonlocal formula
        if formula is not None and name.rsplit(" ", 1)[-1] == "f":
            if formula:  # a shared formula's followers hold no text: keep their value
                text_ = "".join(formula)[:_MAX_FORMULA]
                formulas[(state["row"] - 1, state["column"] - 1)] = "=" + text_
            formula = None

    _parse(chunks, start, end, text)
    return formulas


def scan_ods_table(chunks: Iterable[bytes], bounds: Bounds) -> None:
    """Check the first table's rows and cells, repeats included; empty repeats are allowed
    (LibreOffice writes a million empty rows at the end of every sheet, and calamine drops
    trailing empty ones), but a cell with content must sit inside `bounds`."""
    depth = {"table": 0, "cell": 0}
    state = {"row": 0, "row_end": 0, "column": 0, "column_end": 0, "done": 0, "content": 0}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if state["done"]:
            return
        if depth["cell"]:
            state["content"] = 1  # a paragraph, a link...: the cell shows something
            return
        if local == "table":
            depth["table"] += 1
        elif depth["table"] != 1:
            return
        elif local == "table-row":
            state["row"] = state["row_end"] + 1
            state["row_end"] += _repeat(attributes, "number-rows-repeated")
            state["column_end"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            depth["cell"] = 1
            state["column"] = state["column_end"] + 1
            state["column_end"] += _repeat(attributes, "number-columns-repeated")
            state["content"] = int("value-type" in _local(attributes))

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if state["done"]:
            return
        if local in ("table-cell", "covered-table-cell") and depth["cell"]:
            depth["cell"] = 0
            if state["content"]:
                bounds.check(state["row_end"], state["column_end"])
        elif local == "table" and not depth["cell"]:
            depth["table"] -= 1
            if depth["table"] == 0:
                state["done"] = 1  # only the first sheet is read

    _parse(chunks, start, end)


def _repeat(attributes: Mapping[str, str], name: str) -> int:
    value = _local(attributes).get(name, "1")
    if not value.isdigit() or not 0 < int(value) <= 1 << 24:
        raise unreadable_workbook()
    return int(value)


def first_xlsx_sheet(workbook: Iterable[bytes], relationships: Iterable[bytes]) -> str | None:
    """The zip path of the workbook's first sheet (the one every reader opens as sheet 0)."""
    first: dict[str, str] = {}
    targets: dict[str, str] = {}

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name.rsplit(" ", 1)[-1] == "sheet" and not first:
            first.update(_local(attributes))

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if name.rsplit(" ", 1)[-1] == "Relationship":
            local = _local(attributes)
            targets[local.get("Id", "")] = local.get("Target", "")

    _parse(workbook, sheet, _ignore)
    _parse(relationships, relationship, _ignore)
    target = targets.get(first.get("id", ""))
    if not target:
        return None
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else f"xl/{target}")


def _ignore(*_: object) -> None:
    return None
