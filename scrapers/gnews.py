"""Google News search items: decode the publisher URL when the link still carries it, else name the outlet.

Since mid-2024 most `news.google.com/rss/articles/CBMi...` links are opaque tokens that only Google can
resolve; older ones are a base64 protobuf that holds the publisher URL and can be decoded offline.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

ARTICLE_PATH = re.compile(r"/(?:rss/)?articles/([A-Za-z0-9_-]+)")


def is_gnews_link(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "").endswith("news.google.com") and bool(
        ARTICLE_PATH.search(parts.path)
    )


def decode_link(url: str) -> str | None:
    """The publisher URL inside an old-style Google News link, or None when the token is opaque."""
    match = ARTICLE_PATH.search(urlsplit(url).path)
    if not match:
        return None
    token = match.group(1)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    # protobuf: field 1 varint (08 xx), then field 4 length-delimited (22 len url)
    start = raw.find(b"\x22")
    if start < 0:
        return None
    length, pos = _varint(raw, start + 1)
    if length is None:
        return None
    candidate = raw[pos : pos + length]
    if not candidate.startswith((b"http://", b"https://")):
        return None
    try:
        text = candidate.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if urlsplit(text).hostname else None


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    while pos < len(data) and shift < 35:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None, pos


def encode_link(url: str) -> str:
    """The old self-contained form of a link (used by the replay site to stand in for Google)."""
    body = url.encode("utf-8")
    length = len(body)
    varint = bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    raw = b"\x08\x13\x22" + bytes(varint) + body + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def split_title(title: str, outlet: str | None) -> tuple[str, str | None]:
    """'Headline - Dawn' -> ('Headline', 'Dawn'); the outlet from <source> wins when present."""
    if outlet and title.endswith(f" - {outlet}"):
        return title[: -len(outlet) - 3].strip(), outlet
    head, sep, tail = title.rpartition(" - ")
    if sep and head and len(tail) <= 60:
        return head.strip(), outlet or tail.strip()
    return title.strip(), outlet
