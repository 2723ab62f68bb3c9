"""sources.yaml: what to collect. Validated once at start; every error names file, line and key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from mediawatch.scrapers.extract_select import check_selector
from mediawatch.yamlfile import Checker, YamlDoc, load_yaml

KINDS = ("feed", "sitemap", "listing", "gnews", "gdelt", "wayback")
GNEWS_ENDPOINT = "https://news.google.com/rss/search"
GDELT_ENDPOINT = "https://api.gdeltproject.org/api/v2/doc/doc"
WAYBACK_ENDPOINT = "https://web.archive.org/cdx/search/cdx"
GNEWS_ARTICLE_PAGE = "https://news.google.com/rss/articles/"
GNEWS_BATCHEXECUTE = "https://news.google.com/_/DotsSplashUi/data/batchexecute"
RENDER_MODES = ("browser", "listing", "article")
SELECTOR_FIELDS = ("body", "title", "date", "author")
DEFAULT_USER_AGENT = "mediawatch/0.1 (+{contact})"


@dataclass(frozen=True)
class CrawlerConfig:
    """Crawler-wide politeness and safety settings (the `crawler:` section)."""

    contact_url: str = "https://github.com/mediawatch/mediawatch"
    user_agent: str = ""
    obey_robots: bool = True
    download_delay: float = 2.0
    max_download_size: int = 5 * 1024 * 1024
    timeout: float = 30.0
    max_pages: int = 100
    stale_after: float = 48 * 3600
    lookback: float = 48 * 3600
    allow_loopback: bool = False
    allow_private: bool = False
    autothrottle: bool = True
    concurrent_per_host: int = 2
    browser_path: str = "/usr/bin/chromium"
    browser_page_timeout: float = 30.0
    browser_max_open: int = 2
    browser_restart_after: int = 50
    browser_block: tuple[str, ...] = ("image", "media", "font")  # resource types never loaded

    @property
    def agent(self) -> str:
        return self.user_agent or DEFAULT_USER_AGENT.format(contact=self.contact_url)


@dataclass(frozen=True)
class GnewsResolve:
    """How a gnews source turns opaque links into publisher URLs (Google's two endpoints)."""

    article_page: str = GNEWS_ARTICLE_PAGE  # the token is appended
    batchexecute: str = GNEWS_BATCHEXECUTE
    interval: float = 5.0  # seconds between two resolutions of this source
    budget: int = 20  # resolutions per run; the rest wait for the next run


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    url: str
    outlet: str
    language: str | None = None
    tags: tuple[str, ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    download_delay: float | None = None
    enabled: bool = True
    max_pages: int = 100
    lookback: float = 48 * 3600
    stale_after: float = 48 * 3600
    links: str | None = None
    next_page: str | None = None
    max_listing_pages: int = 1
    max_sitemaps: int = 50  # sitemap documents (index included) fetched per run
    query: str | None = None
    patterns: tuple[str, ...] = ()  # wayback: URL patterns for the CDX API
    endpoint: str | None = None  # wayback: the CDX API
    resolve: GnewsResolve | None = None  # gnews only; None: opaque links stay unresolved
    render: str | None = None  # browser (every HTML page) | listing | article

    def renders(self, page: str) -> bool:
        """Whether this source's `page` ("listing" or "article") is fetched in a browser."""
        return self.render == "browser" or self.render == page


@dataclass(frozen=True)
class SourcesConfig:
    path: Path
    crawler: CrawlerConfig
    sources: tuple[Source, ...]

    def by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}

    def select(self, names_or_tags: list[str]) -> list[Source]:
        """Sources named, or tagged, by any of the given words; unknown words are an error."""
        from mediawatch.errors import UnknownSourceError

        chosen: dict[str, Source] = {}
        for word in names_or_tags:
            hits = [s for s in self.sources if s.name == word or word in s.tags]
            if not hits:
                raise UnknownSourceError(f"no source or tag named {word!r} in {self.path}")
            for s in hits:
                chosen[s.name] = s
        return list(chosen.values())


def load_sources(path: Path) -> SourcesConfig:
    return parse_sources(load_yaml(path))


def parse_sources(doc: YamlDoc) -> SourcesConfig:
    check = Checker(doc)
    top = check.mapping(doc.data, ())
    check.known_keys(top, (), {"crawler", "sources"})
    crawler = _crawler(check, top.get("crawler") or {})
    raw = top.get("sources")
    if not isinstance(raw, list) or not raw:
        raise doc.error(("sources",), "must be a non-empty list of sources")
    sources: list[Source] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        source = _source(check, item, ("sources", i), crawler)
        if source.name in seen:
            raise doc.error(("sources", i, "name"), f"duplicate source name {source.name!r}")
        seen.add(source.name)
        sources.append(source)
    return SourcesConfig(doc.path, crawler, tuple(sources))


def _crawler(check: Checker, raw: Any) -> CrawlerConfig:
    kp = ("crawler",)
    raw = check.mapping(raw, kp)
    allowed = set(CrawlerConfig.__dataclass_fields__)
    check.known_keys(raw, kp, allowed)
    contact = check.string(raw, kp, "contact_url", CrawlerConfig.contact_url)
    check.http_url(kp + ("contact_url",), contact)
    return CrawlerConfig(
        contact_url=contact,
        user_agent=check.string(raw, kp, "user_agent", ""),
        obey_robots=check.boolean(raw, kp, "obey_robots", True),
        download_delay=check.number(raw, kp, "download_delay", 2.0),
        max_download_size=check.number(raw, kp, "max_download_size", 5 * 1024 * 1024, 1024, True),
        timeout=check.number(raw, kp, "timeout", 30.0, 1),
        max_pages=check.number(raw, kp, "max_pages", 100, 1, True),
        stale_after=check.duration(raw, kp, "stale_after", "48h"),
        lookback=check.duration(raw, kp, "lookback", "48h"),
        allow_loopback=check.boolean(raw, kp, "allow_loopback", False),
        allow_private=check.boolean(raw, kp, "allow_private", False),
        autothrottle=check.boolean(raw, kp, "autothrottle", True),
        concurrent_per_host=check.number(raw, kp, "concurrent_per_host", 2, 1, True),
        browser_path=check.string(raw, kp, "browser_path", CrawlerConfig.browser_path),
        browser_page_timeout=check.duration(raw, kp, "browser_page_timeout", "30s"),
        browser_max_open=check.number(raw, kp, "browser_max_open", 2, 1, True),
        browser_restart_after=check.number(raw, kp, "browser_restart_after", 50, 1, True),
        browser_block=_browser_block(check, raw, kp),
    )


BROWSER_RESOURCE_TYPES = (
    "document",
    "stylesheet",
    "image",
    "media",
    "font",
    "script",
    "texttrack",
    "xhr",
    "fetch",
    "eventsource",
    "websocket",
    "manifest",
    "other",
)


def _browser_block(check: Checker, raw: dict, kp: tuple) -> tuple[str, ...]:
    if "browser_block" not in raw:
        return CrawlerConfig.browser_block
    kinds = check.string_list(raw, kp, "browser_block")
    for kind in kinds:
        if kind not in BROWSER_RESOURCE_TYPES or kind == "document":
            allowed = ", ".join(k for k in BROWSER_RESOURCE_TYPES if k != "document")
            raise check.doc.error(kp + ("browser_block",), f"{kind!r} is not one of: {allowed}")
    return tuple(kinds)


_SOURCE_KEYS = {
    "name",
    "kind",
    "url",
    "outlet",
    "language",
    "tags",
    "selectors",
    "download_delay",
    "enabled",
    "max_pages",
    "lookback",
    "stale_after",
    "links",
    "next_page",
    "max_listing_pages",
    "max_sitemaps",
    "query",
    "hl",
    "gl",
    "ceid",
    "timespan",
    "maxrecords",
    "endpoint",
    "patterns",
    "resolve",
    "render",
}


def _source(check: Checker, raw: Any, kp: tuple, crawler: CrawlerConfig) -> Source:
    raw = check.mapping(raw, kp)
    check.known_keys(raw, kp, _SOURCE_KEYS)
    name = check.identifier(raw, kp, "name")
    kind = check.string(raw, kp, "kind", choices=KINDS)
    query = None
    if kind in ("gnews", "gdelt"):
        query = check.string(raw, kp, "query")
        url = _search_url(check, raw, kp, kind, query)
    else:
        url = check.string(raw, kp, "url")
        check.http_url(kp + ("url",), url)
    links = next_page = None
    if kind == "listing":
        links = check.string(raw, kp, "links")
        next_page = check.string(raw, kp, "next_page", None)
        for key, sel in (("links", links), ("next_page", next_page)):
            if sel and (reason := _listing_selector_problem(sel)):
                raise check.doc.error(kp + (key,), reason)
    elif "links" in raw or "next_page" in raw:
        raise check.doc.error(kp + ("links",), "only a listing source takes links / next_page")
    if kind != "sitemap" and "max_sitemaps" in raw:
        raise check.doc.error(kp + ("max_sitemaps",), "only a sitemap source takes max_sitemaps")
    selectors = raw.get("selectors") or {}
    selectors = check.mapping(selectors, kp + ("selectors",))
    check.known_keys(selectors, kp + ("selectors",), set(SELECTOR_FIELDS))
    for key in selectors:
        check.string(selectors, kp + ("selectors",), key)
        reason = check_selector(selectors[key])
        if reason:
            raise check.doc.error(kp + ("selectors", key), reason)
    language = check.string(raw, kp, "language", None)
    if language is not None and not re.match(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", language):
        raise check.doc.error(kp + ("language",), "must be a language code such as en or ur")
    outlet = check.string(raw, kp, "outlet", None) or urlsplit(url).hostname or name
    patterns, endpoint = _wayback(check, raw, kp, kind, url)
    render = check.string(raw, kp, "render", None, choices=RENDER_MODES)
    if render == "listing" and kind != "listing":
        raise check.doc.error(kp + ("render",), "render: listing needs a listing source")
    return Source(
        name=name,
        kind=kind,
        url=url,
        outlet=outlet,
        language=language,
        # every source carries a tag equal to its kind, so `sources: [feed]` picks every feed
        tags=tuple(dict.fromkeys([*check.string_list(raw, kp, "tags"), kind])),
        selectors=dict(selectors),
        download_delay=check.number(raw, kp, "download_delay", None),
        enabled=check.boolean(raw, kp, "enabled", True),
        max_pages=check.number(raw, kp, "max_pages", crawler.max_pages, 1, True),
        lookback=check.duration(raw, kp, "lookback", crawler.lookback),
        stale_after=check.duration(raw, kp, "stale_after", crawler.stale_after),
        links=links,
        next_page=next_page,
        max_listing_pages=check.number(raw, kp, "max_listing_pages", 1, 1, True),
        max_sitemaps=check.number(raw, kp, "max_sitemaps", Source.max_sitemaps, 1, True),
        query=query,
        patterns=patterns,
        endpoint=endpoint,
        resolve=_resolve(check, raw, kp) if kind == "gnews" else _no_resolve(check, raw, kp),
        render=render,
    )


def _wayback(check: Checker, raw: dict, kp: tuple, kind: str, url: str):
    """A wayback source lists the outlet's archived pages matching `patterns` (default: the
    whole site) from the CDX API at `endpoint`."""
    if kind != "wayback":
        if "patterns" in raw:
            raise check.doc.error(kp + ("patterns",), "only a wayback source takes patterns")
        return (), None
    patterns = tuple(check.string_list(raw, kp, "patterns")) or (f"{urlsplit(url).hostname}/*",)
    endpoint = check.string(raw, kp, "endpoint", WAYBACK_ENDPOINT)
    check.http_url(kp + ("endpoint",), endpoint)
    return patterns, endpoint


def _no_resolve(check: Checker, raw: dict, kp: tuple) -> None:
    if "resolve" in raw:
        raise check.doc.error(kp + ("resolve",), "only a gnews source takes resolve")


def _resolve(check: Checker, raw: dict, kp: tuple) -> GnewsResolve | None:
    """`resolve: false` keeps opaque links unresolved; a mapping overrides endpoints and pace."""
    value = raw.get("resolve", True)
    if isinstance(value, bool):
        return GnewsResolve() if value else None
    kp = kp + ("resolve",)
    value = check.mapping(value, kp)
    check.known_keys(value, kp, set(GnewsResolve.__dataclass_fields__))
    found = GnewsResolve(
        article_page=check.string(value, kp, "article_page", GNEWS_ARTICLE_PAGE),
        batchexecute=check.string(value, kp, "batchexecute", GNEWS_BATCHEXECUTE),
        interval=check.duration(value, kp, "interval", "5s"),
        budget=check.number(value, kp, "budget", 20, 0, True),
    )
    check.http_url(kp + ("article_page",), found.article_page)
    check.http_url(kp + ("batchexecute",), found.batchexecute)
    return found


def _listing_selector_problem(selector: str) -> str | None:
    """Listing selectors are Scrapy's (CSS with ::attr(), or XPath); compile one to check it."""
    from parsel import Selector

    page = Selector(text="<html><body></body></html>")
    try:
        page.xpath(selector) if selector.startswith(("/", "(")) else page.css(selector)
    except Exception as exc:  # parsel raises cssselect's and lxml's own errors
        return f"invalid selector: {exc}"
    return None


def _search_url(check: Checker, raw: dict, kp: tuple, kind: str, query: str) -> str:
    if "url" in raw:
        raise check.doc.error(kp + ("url",), f"a {kind} source is built from query; use endpoint")
    if kind == "gnews":
        endpoint = check.string(raw, kp, "endpoint", GNEWS_ENDPOINT)
        params = {
            "q": query,
            "hl": check.string(raw, kp, "hl", "en-PK"),
            "gl": check.string(raw, kp, "gl", "PK"),
            "ceid": check.string(raw, kp, "ceid", "PK:en"),
        }
    else:
        endpoint = check.string(raw, kp, "endpoint", GDELT_ENDPOINT)
        params = {
            "query": query,
            "mode": "ArtList",
            "format": "json",
            "maxrecords": str(check.number(raw, kp, "maxrecords", 250, 1, True)),
            "timespan": check.string(raw, kp, "timespan", "24h"),
            "sort": "DateDesc",
        }
    check.http_url(kp + ("endpoint",), endpoint)
    return f"{endpoint}?{urlencode(params)}"
