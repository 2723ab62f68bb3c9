"""Feed parsing (RSS 0.9x/1.0/2.0, Atom 0.3/1.0 with feedparser; JSON Feed by hand) without entity tricks.

feedparser expands internal entities (a 26 KB billion-laughs feed became a 40 MB title), so the
document is decoded and its DTD cut out first (scrapers.xmlsafe); undeclared entities then stay
inert. What a parser hands on is bounded too: a feed is read up to MAX_ENTRIES items, titles and
author names are cut, over-long links are dropped.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from mediawatch.scrapers.xmlsafe import HostileXML, safe_xml
from mediawatch.times import parse_iso, utc_iso

MAX_ENTRIES = 2000
MAX_TITLE_CHARS = 1000
MAX_LINK_CHARS = 4096
MAX_AUTHORS = 20
MAX_AUTHOR_CHARS = 200


class FeedError(Exception):
    """The document is not a feed that can be read."""


@dataclass
class FeedEntry:
    link: str
    title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    source_title: str | None = None


@dataclass
class Feed:
    kind: str
    title: str | None
    entries: list[FeedEntry]


def parse_feed(body: bytes, content_type: str = "", base_url: str = "") -> Feed:
    head = body[:512].lstrip()
    if "json" in content_type.lower() or head.startswith(b"{"):
        return _parse_json_feed(body)
    try:
        document = safe_xml(body, content_type)
    except HostileXML as exc:
        raise FeedError(str(exc)) from None
    media_type = (content_type or "application/xml").split(";")[0].strip()
    parsed = feedparser.parse(
        document,
        response_headers={
            "content-type": f"{media_type}; charset=utf-8",
            "content-location": base_url,
        },
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no feed found"
        raise FeedError(f"not a readable feed: {reason}")
    entries = []
    for e in parsed.entries[:MAX_ENTRIES]:
        link = e.get("link") or _first_link(e)
        if not link:
            continue
        source = e.get("source") or {}
        entries.append(
            bounded(
                FeedEntry(
                    link=link.strip(),
                    title=(e.get("title") or "").strip() or None,
                    published_at=_struct_to_iso(
                        e.get("published_parsed") or e.get("updated_parsed")
                    ),
                    authors=[a.get("name") for a in e.get("authors", []) if a.get("name")]
                    or ([e["author"]] if e.get("author") else []),
                    source_title=source.get("title"),
                )
            )
        )
    return Feed(parsed.version or "unknown", _cut(parsed.feed.get("title")), _linked(entries))


def _cut(text, limit: int = MAX_TITLE_CHARS) -> str | None:
    return text[:limit] if isinstance(text, str) else None


def bounded(entry: FeedEntry) -> FeedEntry:
    """The entry with its text fields cut to size (a hostile feed's 50 MB title stays 1,000 chars)."""
    entry.title = _cut(entry.title)
    entry.source_title = _cut(entry.source_title)
    entry.authors = [
        a[:MAX_AUTHOR_CHARS] for a in entry.authors[:MAX_AUTHORS] if isinstance(a, str)
    ]
    return entry


def _linked(entries: list[FeedEntry]) -> list[FeedEntry]:
    return [e for e in entries if len(e.link) <= MAX_LINK_CHARS]


def _first_link(entry) -> str | None:
    for link in entry.get("links", []):
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return link["href"]
    return entry.get("id") if str(entry.get("id", "")).startswith("http") else None


def _struct_to_iso(value) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    return utc_iso(moment)


def _parse_json_feed(body: bytes) -> Feed:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not a readable JSON feed: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("not a JSON Feed: no items list")
    entries = []
    for item in data["items"][:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not isinstance(link, str) or not link:
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        entries.append(
            bounded(
                FeedEntry(
                    link=link,
                    title=item.get("title") if isinstance(item.get("title"), str) else None,
                    published_at=to_utc_iso(
                        item.get("date_published") or item.get("date_modified")
                    ),
                    authors=[a["name"] for a in authors if isinstance(a, dict) and a.get("name")],
                )
            )
        )
    return Feed("json", _cut(data.get("title")), _linked(entries))


def to_utc_iso(text) -> str | None:
    """An ISO 8601 date or time from a feed or sitemap as the archive's UTC text, or None."""
    moment = parse_iso(text) if isinstance(text, str) else None
    return utc_iso(moment) if moment else None
