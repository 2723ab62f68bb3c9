"""Sitemap parsing: indexes, gzipped files and Google News sitemaps, with entities never expanded.

The document is decoded and its DTD cut out first (scrapers.xmlsafe), as for feeds; at most
MAX_ENTRIES entries are read (the sitemap protocol's own limit per file).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from mediawatch.scrapers.feeds import MAX_LINK_CHARS, MAX_TITLE_CHARS, to_utc_iso
from mediawatch.scrapers.xmlsafe import HostileXML, safe_xml

MAX_ENTRIES = 50_000


class SitemapError(Exception):
    """The document is not a sitemap that can be read."""


@dataclass
class SitemapEntry:
    loc: str
    published_at: str | None = None  # news:publication_date, else lastmod
    title: str | None = None  # news:title
    is_index: bool = False


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False
    )


def parse_sitemap(body: bytes, content_type: str = "") -> list[SitemapEntry]:
    """Entries of a <urlset> or <sitemapindex>, newest first (undated last)."""
    try:
        root = etree.fromstring(safe_xml(body, content_type), parser=_parser())
    except HostileXML as exc:
        raise SitemapError(str(exc)) from None
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not a readable sitemap: {exc}") from None
    if root is None:
        raise SitemapError("not a readable sitemap: empty document")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element is <{kind}>")
    entries: list[SitemapEntry] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        fields: dict[str, str] = {}
        for child in node.iter():
            if not isinstance(child.tag, str) or child is node:
                continue
            name = etree.QName(child).localname
            if child.text and child.text.strip() and name not in fields:
                fields[name] = child.text.strip()
        if "loc" not in fields or len(fields["loc"]) > MAX_LINK_CHARS:
            continue
        if len(entries) >= MAX_ENTRIES:
            break
        entries.append(
            SitemapEntry(
                loc=fields["loc"],
                published_at=to_utc_iso(fields.get("publication_date") or fields.get("lastmod")),
                title=fields["title"][:MAX_TITLE_CHARS] if "title" in fields else None,
                is_index=kind == "sitemapindex",
            )
        )
    entries.sort(key=lambda e: e.published_at or "", reverse=True)
    return entries
