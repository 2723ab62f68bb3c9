"""Sitemap parsing: indexes, gzipped files and Google News sitemaps, with entities never expanded."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scrapers.feeds import strip_doctype, to_utc_iso


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


def parse_sitemap(body: bytes) -> list[SitemapEntry]:
    """Entries of a <urlset> or <sitemapindex>, newest first (undated last)."""
    try:
        root = etree.fromstring(strip_doctype(body), parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not a readable sitemap: {exc}") from None
    if root is None:
        raise SitemapError("not a readable sitemap: empty document")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element is <{kind}>")
    entries = []
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
        if "loc" not in fields:
            continue
        entries.append(
            SitemapEntry(
                loc=fields["loc"],
                published_at=to_utc_iso(fields.get("publication_date") or fields.get("lastmod")),
                title=fields.get("title"),
                is_index=kind == "sitemapindex",
            )
        )
    entries.sort(key=lambda e: e.published_at or "", reverse=True)
    return entries
