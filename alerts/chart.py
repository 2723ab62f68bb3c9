"""Coverage-over-time bars as a small PNG: mail clients show an attached (cid:) PNG, unlike SVG.

Pure standard library (zlib); the numbers themselves go in the image's alt text and caption.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

BAR = 16
GAP = 4
HEIGHT = 48
PAD = 2
BACKGROUND = (255, 255, 255)
BAR_COLOUR = (58, 110, 165)
LAST_COLOUR = (196, 69, 54)  # today
BASELINE = (170, 170, 170)


def bars_png(counts: Sequence[int]) -> bytes:
    """One bar per day, the last (today) highlighted; heights scaled to the busiest day."""
    width = PAD * 2 + len(counts) * (BAR + GAP) - GAP
    height = HEIGHT + PAD * 2
    top = max(counts) if counts and max(counts) > 0 else 1
    rows = [bytearray(BACKGROUND * width) for _ in range(height)]
    baseline = height - PAD - 1
    for x in range(width):
        rows[baseline][x * 3 : x * 3 + 3] = bytes(BASELINE)
    for i, n in enumerate(counts):
        if n <= 0:
            continue
        bar_height = max(2, round(n / top * (HEIGHT - 1)))
        colour = bytes(LAST_COLOUR if i == len(counts) - 1 else BAR_COLOUR)
        left = PAD + i * (BAR + GAP)
        for y in range(baseline - bar_height, baseline):
            rows[y][left * 3 : (left + BAR) * 3] = colour * BAR
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return _png(width, height, raw)


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
