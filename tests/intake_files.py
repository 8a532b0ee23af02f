"""Helpers building intake files (templates filled with openpyxl, csv in any encoding)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

import openpyxl

HEADER_FR = [
    "Organisation",
    "Catégorie",
    "Type",
    "Texte",
    "Thème",
    "Priorité",
    "Nom",
    "Fonction",
    "E-mail",
    "Téléphone",
    "Consentement",
]


def csv_bytes(
    rows: Sequence[Sequence[str]], *, separator: str = ";", encoding: str = "utf-8"
) -> bytes:
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


def ods_bytes(rows: Sequence[Sequence[str]], *, more_rows: str = "") -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves, reduced to its core);
    `more_rows` is table XML written after `rows` (repeated rows, far cells)."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        "<office:document-content "
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        f"{cells}{more_rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


# Hostile files (issue 21). Each is what an attacker can write by hand: the zip writer below sets
# the sizes and CRCs it declares, whatever the bytes it holds.

ROW_FR = ["Riad Dar Atlas", "Hébergement", "Besoin", "Former le personnel à l'anglais."]


def _deflated(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, inflated length) of the concatenated chunks."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    parts, crc, size = [], 0, 0
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts), crc, size


def zip_bytes(
    members: Sequence[tuple[str, bytes | Iterable[bytes]]],
    *,
    declared_sizes: dict[str, int] | None = None,
    flipped_crc: Sequence[str] = (),
) -> bytes:
    """A deflated zip whose central directory and local headers say what the caller wants."""
    local, central = io.BytesIO(), io.BytesIO()
    for name, content in members:
        chunks = [content] if isinstance(content, bytes) else content
        raw, crc, size = _deflated(chunks)
        size = (declared_sizes or {}).get(name, size)
        crc ^= 1 if name in flipped_crc else 0
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        offset = local.tell()
        local.write(struct.pack("<4s5HIIIHH", b"PK\x03\x04", *fields) + encoded + raw)
        central.write(
            struct.pack("<4sH5HIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset)
            + encoded
        )
    directory = central.getvalue()
    end = struct.pack(
        "<4s4HIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), local.tell(), 0
    )
    return local.getvalue() + directory + end


def _members(workbook: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def xlsx_with_flipped_crc(member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """An ordinary workbook but for one bit of one member's CRC."""
    return zip_bytes(_members(xlsx_bytes([HEADER_FR, ROW_FR])), flipped_crc=(member,))


def xlsx_with_cell_at(reference: str) -> bytes:
    """An ordinary workbook plus one cell far away (openpyxl writes the dimension to match)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER_FR)
    sheet.append(ROW_FR)
    sheet[reference] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"


def _inline_row(number: int, cells: Sequence[str]) -> bytes:
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{chr(65 + index)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for index, value in enumerate(cells)
        )
        + "</row>"
    ).encode()


def _with_first_sheet(sheet: Iterable[bytes], **options: object) -> bytes:
    members = [
        (name, sheet if name == "xl/worksheets/sheet1.xml" else content)
        for name, content in _members(xlsx_bytes([["x"]]))
    ]
    return zip_bytes(members, **options)  # type: ignore[arg-type]


def xlsx_row_without_references(cells: int) -> bytes:
    """A header, then one row of `cells` empty cells that give no reference (each is the next
    column, as the format allows)."""
    row = b"<row>" + b"<c/>" * cells + b"</row>"
    return _with_first_sheet([_SHEET_START + _inline_row(1, HEADER_FR[:4]) + row + _SHEET_END])


# LibreOffice ends every sheet with a million empty rows written once, repeated.
ODS_TRAILING_ROWS = (
    '<table:table-row table:number-rows-repeated="1048574">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def ods_cell_after(rows: int, columns: int) -> str:
    """Table XML: `rows` empty rows, then a cell with text after `columns` empty cells."""
    return (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell/>'
        "</table:table-row><table:table-row>"
        f'<table:table-cell table:number-columns-repeated="{columns}"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>"
    )


def xlsx_bomb(inflated_mb: int) -> bytes:
    """A workbook whose first sheet inflates to `inflated_mb` MB while it declares 2 KB."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET_START + _inline_row(1, HEADER_FR[:4])
        blank = b" " * (1024 * 1024)
        for _ in range(inflated_mb):
            yield blank
        yield _SHEET_END

    return _with_first_sheet(sheet(), declared_sizes={"xl/worksheets/sheet1.xml": 2048})


def xlsx_of_rows(rows: int) -> bytes:
    """An honest workbook of `rows` short rows under the header (1 M rows: about 8 MB)."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET_START + _inline_row(1, HEADER_FR[:4])
        batch: list[bytes] = []
        for number in range(2, rows + 2):
            batch.append(_inline_row(number, ("Riad", "Besoin")))
            if len(batch) == 10_000:
                yield b"".join(batch)
                batch.clear()
        yield b"".join(batch) + _SHEET_END

    return _with_first_sheet(sheet())


def csv_of_lines(lines: int) -> bytes:
    """A header then `lines` one-letter lines: 4.9 M lines make a 9.8 MB file."""
    return ";".join(HEADER_FR[:4]).encode() + b"\n" + b"a\n" * lines


def csv_mixing_encodings() -> bytes:
    """A header, a row in UTF-8, then a row typed in Windows-1252 (line 3)."""
    return b"\r\n".join(
        [
            ";".join(HEADER_FR[:4]).encode("utf-8"),
            "Café Mérinides;Restauration;Défi;Saisonnalité".encode(),
            "Hôtel Atlas;Hébergement;Besoin;Former à l'accueil".encode("cp1252"),
        ]
    )


def csv_with_nul_late() -> bytes:
    """A readable CSV whose line 60, past the first 4 KB, holds a NUL byte."""
    lines = [";".join(HEADER_FR[:4])]
    lines += [
        f"Org {n};Guide;Besoin;Un texte de quatre-vingts octets, à peu près, pour remplir"
        for n in range(2, 60)
    ]
    lines.append("Org\x00;Guide;Besoin;Nul")
    data = "\n".join(lines).encode()
    assert data.index(b"\x00") > 4096
    return data


UNREADABLE = "Classeur illisible ou endommagé."
INFLATES_TOO_MUCH = "son contenu décompressé est anormalement gros"
TOO_MANY_ROWS = "Trop de lignes : 5000 au plus"
TOO_MANY_COLUMNS = "Trop de colonnes"

# The hostile files of issue 21: name -> (file name, builder, what the page says next to the
# file field). The tests upload each one; bench/intake.py --hostile measures each one.
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "flipped CRC": ("liste.xlsx", xlsx_with_flipped_crc, UNREADABLE),
    "cell at XFD1048576": ("liste.xlsx", lambda: xlsx_with_cell_at("XFD1048576"), TOO_MANY_COLUMNS),
    "cell at K1048576": ("liste.xlsx", lambda: xlsx_with_cell_at("K1048576"), TOO_MANY_ROWS),
    "zip bomb declaring 2 KB": ("liste.xlsx", lambda: xlsx_bomb(300), INFLATES_TOO_MUCH),
    "honest 1 M rows": ("liste.xlsx", lambda: xlsx_of_rows(1_000_000), TOO_MANY_ROWS),
    "CSV of 4.9 M lines": ("liste.csv", lambda: csv_of_lines(4_900_000), TOO_MANY_ROWS),
    "CSV mixing UTF-8 and cp1252": (
        "liste.csv",
        csv_mixing_encodings,
        "la ligne 3 n'est pas en UTF-8",
    ),
    "CSV with NUL past 4 KB": ("liste.csv", csv_with_nul_late, "octet nul à la ligne 60"),
}
