"""The members of an uploaded zip (.xlsx, .ods), inflated with every limit counted on the bytes
actually produced.

A zip's local headers and central directory are written by whoever sent it: the sizes and CRCs
they declare are claims, not facts (PITFALLS.md, "Zip headers lie"). So each member's raw deflate
stream is inflated here in chunks, with a running cap on the bytes inflated (across all members)
and on the ratio of inflated to compressed bytes consumed so far; only at the end is the result
compared with what the headers declared. A member that inflates to anything other than its
declared size or CRC is a damaged file. Once every member has been through `stream` (see
`check_all`), another reader of the same bytes (calamine) can inflate no more than was counted.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from feedback_app.services.intake.refusal import inflates_too_much, unreadable_workbook

# A real intake workbook of 5,000 rows inflates to a few megabytes; 64 MB leaves room for long
# texts while keeping the reader that follows (calamine) well inside the worker's memory budget.
MAX_INFLATED = 64 * 1024 * 1024
# Spreadsheet XML compresses 10-30 times; a bomb, a thousand times. Members smaller than
# _RATIO_FLOOR are not held to the ratio (a few kilobytes of styles compress very well).
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 1000
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_STORED, _DEFLATED = 0, 8


class Archive:
    """An uploaded zip whose members can be read only through the running caps."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
        except (
            zipfile.BadZipFile,
            zlib.error,
            ValueError,
            EOFError,
            OSError,
            NotImplementedError,
        ) as error:
            raise unreadable_workbook() from error
        names = [member.filename for member in members]
        if len(set(names)) != len(names):  # two readers could pick different copies
            raise unreadable_workbook()
        if len(members) > MAX_MEMBERS:
            raise inflates_too_much()
        self._members = {member.filename: member for member in members}
        self._checked: set[str] = set()
        self.inflated = 0  # bytes inflated so far, all members together

    @property
    def names(self) -> set[str]:
        return set(self._members)

    def stream(self, name: str) -> Iterator[bytes]:
        """The member's inflated bytes in chunks; FileRefused as soon as a limit is crossed."""
        member = self._members[name]
        if member.flag_bits & 0x1 or member.compress_type not in (_STORED, _DEFLATED):
            raise unreadable_workbook()  # encrypted, or a compression no spreadsheet uses
        raw = self._raw(member)
        pieces = _inflate(raw) if member.compress_type == _DEFLATED else _copy(raw)
        produced, crc = 0, 0
        try:
            for chunk, consumed in pieces:
                produced += len(chunk)
                self._count(len(chunk), produced, consumed)
                crc = zlib.crc32(chunk, crc)
                yield chunk
        except zlib.error as error:
            raise unreadable_workbook() from error
        if produced != member.file_size or crc != member.CRC:
            raise unreadable_workbook()
        self._checked.add(name)

    def read(self, name: str) -> bytes:
        """A whole member (small ones: content types, workbook, relationships, mimetype)."""
        return b"".join(self.stream(name))

    def check_all(self) -> None:
        """Inflate every member not read yet, so that no member escapes the caps."""
        for name in self._members:
            if name not in self._checked:
                for _chunk in self.stream(name):
                    pass

    def _raw(self, member: zipfile.ZipInfo) -> memoryview:
        """The member's compressed bytes, located through its local header as every reader does."""
        offset = member.header_offset
        header = bytes(self._data[offset : offset + _LOCAL_HEADER.size])
        if len(header) < _LOCAL_HEADER.size:
            raise unreadable_workbook()
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise unreadable_workbook()
        start = offset + _LOCAL_HEADER.size + name_length + extra_length
        return self._data[start : start + member.compress_size]

    def _count(self, chunk: int, produced: int, consumed: int) -> None:
        self.inflated += chunk
        if self.inflated > MAX_INFLATED or (
            produced > _RATIO_FLOOR and produced > MAX_RATIO * max(consumed, 1)
        ):
            raise inflates_too_much()


def _copy(raw: memoryview) -> Iterator[tuple[bytes, int]]:
    """A stored member's bytes, with the compressed bytes consumed so far."""
    for start in range(0, len(raw), _CHUNK):
        chunk = bytes(raw[start : start + _CHUNK])
        yield chunk, start + len(chunk)


def _inflate(raw: memoryview) -> Iterator[tuple[bytes, int]]:
    """A deflated member's bytes, never more than _CHUNK at a time, whatever the input holds."""
    inflater = zlib.decompressobj(-15)
    consumed = 0
    while not inflater.eof:
        tail = inflater.unconsumed_tail
        if not tail:
            if consumed >= len(raw):
                raise unreadable_workbook()  # the deflate stream stops short
            tail = bytes(raw[consumed : consumed + _CHUNK])
            consumed += len(tail)
        chunk = inflater.decompress(tail, _CHUNK)
        yield chunk, consumed - len(inflater.unconsumed_tail)
