"""Write the app's icons (favicon and web app manifest) from one drawing, with no dependency.

    .venv/bin/python scripts/make_icons.py

The drawing: the brand's terracotta rounded square with a white "T" (Tournée). The SVG is the
favicon of modern browsers; the PNGs serve /favicon.ico and the manifest's installable icons.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "feedback_app" / "static" / "icons"
ACCENT = (0xB4, 0x41, 0x2A)
WHITE = (0xFF, 0xFF, 0xFF)
# In a 100x100 square: corner radius, and the T's bar and stem as (x0, y0, x1, y1).
RADIUS = 18
SHAPES = ((22, 24, 78, 38), (43, 24, 57, 80))

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    f'<rect width="100" height="100" rx="{RADIUS}" fill="#b4412a"/>'
    + "".join(
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fff"/>'
        for x0, y0, x1, y1 in SHAPES
    )
    + "</svg>\n"
)


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """The colour at (x, y) of the 100x100 drawing."""
    for x0, y0, x1, y1 in SHAPES:
        if x0 <= x < x1 and y0 <= y < y1:
            return (*WHITE, 255)
    cx = min(max(x, RADIUS), 100 - RADIUS)
    cy = min(max(y, RADIUS), 100 - RADIUS)
    if (x - cx) ** 2 + (y - cy) ** 2 > RADIUS**2:
        return (0, 0, 0, 0)  # outside the rounded corner
    return (*ACCENT, 255)


def png(size: int, *, maskable: bool = False) -> bytes:
    """An RGBA PNG; a maskable icon fills its square (the platform rounds it itself)."""
    rows = []
    for py in range(size):
        row = bytearray(b"\x00")  # filter: none
        for px in range(size):
            x, y = (px + 0.5) * 100 / size, (py + 0.5) * 100 / size
            colour = _pixel(x, y)
            if maskable and colour[3] == 0:
                colour = (*ACCENT, 255)
            row += bytes(colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon.svg").write_text(SVG, encoding="utf-8")
    (ICONS / "icon-32.png").write_bytes(png(32))
    (ICONS / "icon-192.png").write_bytes(png(192))
    (ICONS / "icon-512.png").write_bytes(png(512))
    (ICONS / "icon-maskable-512.png").write_bytes(png(512, maskable=True))


if __name__ == "__main__":
    main()
