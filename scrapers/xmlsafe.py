"""Untrusted XML (feeds, sitemaps) made safe before any parser sees it.

The document is decoded first, whatever its encoding (BOM, UTF-16/32 byte pattern, XML declaration,
HTTP charset): a DTD written in UTF-16 never matches a byte pattern, and feedparser's loose parser
then expanded its entities (a 280 KB feed grew to 4.5 GB). The DTD is cut out of the decoded text by
one forward scan, linear on any input (a lazy regex retried at every `<!DOCTYPE` was quadratic: 400 KB
stalled a crawl for minutes). Declared entities whose use would expand past a bound are refused as a
bomb, so such a document is an error of the crawl, not a silent success. The result is UTF-8 with a
matching XML declaration, the same for feedparser and lxml.
"""

from __future__ import annotations

import codecs
import re

MAX_ENTITY_EXPANSION = 1024 * 1024  # characters the declared entities would add if expanded
_MAX_ENTITY_DEPTH = 16

_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(
    rb"""^\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][\w.:-]{0,40})["']"""
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\ufeff?\s*<\?xml\b[^>]{0,500}?\?>")
_MARK = re.compile(r"<!(DOCTYPE|ENTITY)", re.I)
_DECL_STOP = re.compile(r"[\"'>\[]")
_SUBSET_STOP = re.compile(r"[\"'\]]|<!--")
_ENTITY_DECL = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s"'>%]+)\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")


class HostileXML(ValueError):
    """The document declares entities that would expand past MAX_ENTITY_EXPANSION."""


def unicode_family(head: bytes) -> str | None:
    """UTF-8/16/32 known from a BOM, or UTF-16/32 from the zero bytes around ASCII markup."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    b = head[:4]
    if len(b) < 4:
        return None
    if b[0] == b[1] == b[2] == 0 and b[3]:
        return "utf-32-be"
    if b[0] and b[1] == b[2] == b[3] == 0:
        return "utf-32-le"
    if b[0] == 0 and b[1] and b[2] == 0 and b[3]:
        return "utf-16-be"
    if b[0] and b[1] == 0 and b[2] and b[3] == 0:
        return "utf-16-le"
    return None


def charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header, if it names a codec Python knows."""
    m = _CHARSET.search(content_type or "")
    return known_codec(m.group(1)) if m else None


def known_codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_unicode(body: bytes, family: str) -> str:
    """body in a UTF encoding, without its BOM (undecodable bytes replaced)."""
    start = next((len(bom) for bom, name in _BOMS if body.startswith(bom) and name == family), 0)
    return body[start:].decode(family, "replace")


def decode(body: bytes, content_type: str = "") -> str:
    """The document as text: BOM or UTF-16/32 pattern, else declared, HTTP, UTF-8, cp1252."""
    family = unicode_family(body[:4])
    if family:
        return decode_unicode(body, family)
    m = _DECLARED.match(body[:300])
    declared = known_codec(m.group(1).decode("ascii")) if m else None
    candidates = [declared, charset_of(content_type), "utf-8", "cp1252"]
    for name in dict.fromkeys(
        c for c in candidates if c and not c.startswith(("utf-16", "utf-32"))
    ):
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", "replace")


def _skip_quoted(text: str, pos: int) -> int:
    """Index after the quote closing the one at pos, or len(text) when it never closes."""
    end = text.find(text[pos], pos + 1)
    return len(text) if end < 0 else end + 1


def _declaration_end(text: str, pos: int) -> int:
    """Index after the `>` ending a declaration whose `<!NAME` ends at pos (quotes and an internal
    subset skipped); len(text) when it never ends. Every character is looked at once."""
    n = len(text)
    while True:
        m = _DECL_STOP.search(text, pos)
        if m is None:
            return n
        c = m.group()
        if c == ">":
            return m.end()
        pos = _subset_end(text, m.end()) if c == "[" else _skip_quoted(text, m.start())
        if pos >= n:
            return n


def _subset_end(text: str, pos: int) -> int:
    n = len(text)
    while True:
        m = _SUBSET_STOP.search(text, pos)
        if m is None:
            return n
        c = m.group()
        if c == "]":
            return m.end()
        if c == "<!--":
            end = text.find("-->", m.end())
            pos = n if end < 0 else end + 3
        else:
            pos = _skip_quoted(text, m.start())
        if pos >= n:
            return n


def strip_dtd(text: str) -> tuple[str, str]:
    """(text without DOCTYPE and ENTITY declarations, the declarations removed), in linear time.

    A declaration that never ends takes the rest of the document with it: what is left may not
    parse, which is an error of that document, never a stall."""
    kept: list[str] = []
    removed: list[str] = []
    pos = 0
    while (m := _MARK.search(text, pos)) is not None:
        kept.append(text[pos : m.start()])
        end = _declaration_end(text, m.end())
        removed.append(text[m.start() : end])
        pos = end
    kept.append(text[pos:])
    return "".join(kept), "".join(removed)


def declared_entities(declarations: str) -> dict[str, str]:
    """General internal entities (name -> replacement text) of removed declarations."""
    found: dict[str, str] = {}
    for m in _ENTITY_DECL.finditer(declarations):
        if not m.group(1):
            found.setdefault(m.group(2), m.group(3) if m.group(3) is not None else m.group(4))
    return found


def expansion(text: str, entities: dict[str, str], limit: int = MAX_ENTITY_EXPANSION) -> int:
    """Characters the entity references in text would add if expanded (stops counting past limit)."""
    sizes: dict[str, int] = {}
    over = limit + 1

    def size(name: str, depth: int) -> int:
        if name in sizes:
            return sizes[name]
        if depth > _MAX_ENTITY_DEPTH:
            return over
        sizes[name] = over  # a reference cycle counts as unbounded
        total = len(entities[name])
        for ref in _REF.findall(entities[name]):
            if ref in entities:
                total += size(ref, depth + 1)
                if total > limit:
                    break
        sizes[name] = min(total, over)
        return sizes[name]

    total = 0
    if not entities:
        return total
    for m in _REF.finditer(text):
        if m.group(1) in entities:
            total += size(m.group(1), 0)
            if total > limit:
                return over
    return total


def safe_xml(body: bytes, content_type: str = "") -> bytes:
    """The document as UTF-8 without its DTD; raises HostileXML for an entity bomb."""
    text, removed = strip_dtd(decode(body, content_type))
    entities = declared_entities(removed) if removed else {}
    if expansion(text, entities) > MAX_ENTITY_EXPANSION:
        raise HostileXML(
            f"refused: its DTD declares entities that would expand to more than "
            f"{MAX_ENTITY_EXPANSION // 1024} KiB (an entity bomb)"
        )
    text = _XML_DECL.sub("", text, count=1).lstrip("\ufeff")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text.encode("utf-8", "replace")
