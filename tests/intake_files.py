"""Helpers building intake files (templates filled with openpyxl, csv in any encoding)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl

HEADER_FR = ["Organisation", "Catégorie", "Type", "Texte", "Thème", "Priorité", "Nom",
             "Fonction", "E-mail", "Téléphone", "Consentement"]


def csv_bytes(rows: Sequence[Sequence[str]], *, separator: str = ";",
              encoding: str = "utf-8") -> bytes:
    return "\r\n".join(separator.join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_template(template: bytes, rows: Sequence[Sequence[object]]) -> bytes:
    """What a delegate does: open the downloaded template, type rows under the example, save."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=3 + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
