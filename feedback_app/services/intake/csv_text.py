"""An uploaded .csv file as rows of text, read no further than the row limit.

Decoding is strict: UTF-8 (with or without its byte-order mark), or else Windows-1252 when the
WHOLE file is consistent in it. A file holding both (a UTF-8 sequence somewhere, bytes that are
not UTF-8 elsewhere) is refused, naming the first line that is not UTF-8: guessing would store
one half garbled ("CafÃ©") and mark it valid. A NUL byte anywhere refuses the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from feedback_app.services.intake.refusal import FileRefused

_BOM = b"\xef\xbb\xbf"
# One well-formed multi-byte UTF-8 sequence: Windows-1252 text (accented letters followed by
# another letter) practically never forms one.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_csv(data: bytes) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileRefused(
            _l(
                "Ce fichier n'est pas un vrai fichier .csv : octet nul à la ligne %(line)d.",
                line=_line_of(data, nul),
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first_bad = _line_of(data, error.start)
    if data.startswith(_BOM) or _UTF8_SEQUENCE.search(data):
        raise FileRefused(
            _l(
                "Encodage mélangé : la ligne %(line)d n'est pas en UTF-8 alors que d'autres "
                "le sont. Enregistrez le fichier au format « CSV UTF-8 ».",
                line=first_bad,
            )
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise FileRefused(
            _l(
                "Encodage non reconnu à la ligne %(line)d : enregistrez le fichier au format "
                "« CSV UTF-8 ».",
                line=_line_of(data, error.start),
            )
        ) from error


def read_csv_rows(data: bytes, max_rows: int, max_records: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each row that is not blank: the header then at most
    `max_rows` + 1 more, so that one too many is seen without reading the rest. Blank rows
    count towards `max_records`, the most rows read at all (millions of empty lines would
    otherwise take seconds to skip)."""
    text = decode_csv(data)
    first_line = text[: text.find("\n")] if "\n" in text else text
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    line, kept = 1, 0
    try:
        for records, cells in enumerate(reader, start=1):
            if records > max_records:
                raise FileRefused(_l("Trop de lignes : %(max)d au plus par fichier.", max=max_rows))
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            yield start, cells
            kept += 1
            if kept > max_rows + 1:
                return
    except csv.Error as error:
        raise FileRefused(_l("Fichier .csv illisible.")) from error
