"""Pages whose UTF-8 was decoded as Windows-1252 and encoded again ('Earthâ€™s' for 'Earth’s').

Some sites (and some crawlers' caches) store text that went through a wrong decode once. The page is
valid UTF-8, so no decoder notices, but every apostrophe and dash turns into two or three letters
that glue words together ('debtâ€”nearly' is one token): words a watchlist looks for go missing.
Each such run is decoded back; a run that does not decode stays as it is. Titles taken from metadata
get the same repair (scrapers/extract.py).

Why not ftfy, the field's library for this: measured on the 13 suspect pages of the two corpora,
`ftfy.fix_encoding` over the page costs 37 ms each, against 0.6 ms here, gives the same text on 12 of
them, and on the 13th leaves a lone 'â„¢' unrepaired. The repair runs before parsing, on every suspect
page a crawl meets, so the cost would land in every crawl.
"""

from __future__ import annotations

import re

# the UTF-8 bytes of 'â' + U+0080..U+00BF (a lead byte read as Latin-1), of 'â€' (read as
# Windows-1252) and of 'Ã' + U+0080..U+00BF (an accented Latin letter read either way); one regex
# scan: three `in` tests cost seven times more on pages full of \xc3 (any Latin-1 letter)
_MARKS = re.compile(rb"\xc3(?:\xa2(?:\xc2|\xe2\x82\xac)|\x83\xc2)")
# Windows-1252's letters for the bytes 0x80-0x9F, beside Latin-1's control characters
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_RUN = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]{{1,3}}")


def suspect(raw: bytes) -> bool:
    """Cheap test on the page's bytes: only such pages get the repair pass."""
    return _MARKS.search(raw) is not None


def _byte(ch: str) -> bytes:
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        return ch.encode("latin-1")  # the five bytes Windows-1252 leaves undefined


def _decoded(match: re.Match) -> str:
    run = match.group()
    try:
        return b"".join(_byte(ch) for ch in run).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def repaired(text: str) -> str:
    """The text with each doubly encoded character decoded back."""
    return _RUN.sub(_decoded, text)
