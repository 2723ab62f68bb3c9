"""Find what to collect from an outlet's home or section page: its feeds and sitemaps, and what one
article from them extracts to (`mediawatch sources add`).

The fetching is a small Scrapy crawl with the crawl's own settings, so the same address-safety
rules (loopback only with `allow_loopback`), size limits, user agent and robots.txt apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import scrapy
from mediawatch.scrapers.extract import ExtractionError, extract
from mediawatch.scrapers.feeds import FeedError, parse_feed
from mediawatch.scrapers.sitemaps import SitemapError, parse_sitemap
from mediawatch.scrapers.sources import CrawlerConfig
from scrapy.crawler import CrawlerProcess
from scrapy.utils.gz import gunzip

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
)
# tried, in this order, when the page names no feed: beside the page, then at the site's root
COMMON_FEED_PATHS = ("feed/", "rss/", "feed.xml", "rss.xml", "atom.xml", "index.xml")
ROOT_FEED_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")
SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


class DiscoveryError(Exception):
    """Nothing usable was found at the address (or it could not be fetched)."""


@dataclass
class Discovery:
    page: str
    outlet: str | None = None
    feeds: list[str] = field(default_factory=list)  # named by the page (<link rel="alternate">)
    sitemaps: list[str] = field(default_factory=list)  # named by robots.txt
    kind: str | None = None  # of the source that worked: feed or sitemap
    url: str | None = None  # ... and its address
    items: int = 0  # entries it lists
    article_url: str | None = None
    article: dict | None = None  # what the first article extracts to
    tried: list[str] = field(default_factory=list)  # "url: what went wrong" for each miss
    page_error: str | None = None  # the page itself could not be fetched


class DiscoverSpider(scrapy.Spider):
    name = "discover"
    custom_settings = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {
            "mediawatch.scrapers.extensions.CrawlRunRecorder": None,
            "mediawatch.scrapers.progress.CrawlProgress": None,
        },
    }

    def __init__(self, page: str, result: Discovery, **kwargs):
        super().__init__(**kwargs)
        self.page = page
        self.result = result
        self.queue: list[tuple[str, str]] = []

    async def start(self):
        yield scrapy.Request(self.page, callback=self.parse_page, errback=self.page_failed)

    # -- the page, then robots.txt --------------------------------------------------------

    def parse_page(self, response):
        result = self.result
        result.page = response.url
        result.outlet = (
            response.xpath('//meta[@property="og:site_name"]/@content').get()
            or response.xpath('//meta[@name="application-name"]/@content').get()
        )
        for link in response.xpath("//link[@href]"):
            rel = (link.xpath("@rel").get() or "").lower().split()
            kind = (link.xpath("@type").get() or "").lower().split(";")[0].strip()
            if "alternate" in rel and kind in FEED_TYPES:
                url = response.urljoin(link.xpath("@href").get().strip())
                if url not in result.feeds:
                    result.feeds.append(url)
        yield self._robots(response.url)

    def page_failed(self, failure):
        from mediawatch.scrapers.failures import describe_failure

        self.result.page_error = describe_failure(failure)

    def _robots(self, url: str) -> scrapy.Request:
        parts = urlsplit(url)
        return scrapy.Request(
            f"{parts.scheme}://{parts.netloc}/robots.txt",
            callback=self.parse_robots,
            errback=self.robots_failed,
            dont_filter=True,
            meta={"dont_obey_robotstxt": True},
        )

    def parse_robots(self, response):
        text = response.text if hasattr(response, "text") else ""
        found = [m.group(1) for m in SITEMAP_LINE.finditer(text)]
        # a sitemap about this section or about news is the likelier one
        section = urlsplit(self.result.page).path.strip("/").split("/")[0]
        found.sort(key=lambda u: (not (section and f"/{section}" in u), "news" not in u.lower()))
        self.result.sitemaps.extend(u for u in found if u not in self.result.sitemaps)
        yield from self._start_trying()

    def robots_failed(self, failure):
        yield from self._start_trying()

    # -- try candidates one after the other until one lists articles ------------------------

    def _start_trying(self):
        result = self.result
        self.queue = [("feed", u) for u in result.feeds]
        if not result.feeds:
            base = result.page if result.page.endswith("/") else result.page + "/"
            guesses = [urljoin(base, p) for p in COMMON_FEED_PATHS]
            guesses += [urljoin(result.page, p) for p in ROOT_FEED_PATHS]
            self.queue += [("guess", u) for u in dict.fromkeys(guesses)]
        self.queue += [("sitemap", u) for u in result.sitemaps]
        yield from self._next()

    def _next(self):
        if self.queue:
            kind, url = self.queue.pop(0)
            yield scrapy.Request(
                url,
                callback=self.parse_candidate,
                errback=self.candidate_failed,
                dont_filter=True,
                meta={"kind": kind},
            )

    def candidate_failed(self, failure):
        from mediawatch.scrapers.failures import describe_failure

        if failure.request.meta.get("kind") != "guess":  # guessed paths are expected to miss
            self.result.tried.append(describe_failure(failure))
        yield from self._next()

    def parse_candidate(self, response):
        kind = response.meta["kind"]
        if kind == "sitemap" or (kind == "sitemap-child"):
            yield from self._read_sitemap(response)
            return
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        try:
            feed = parse_feed(response.body, ctype, response.url)
        except FeedError as exc:
            if kind != "guess":
                self.result.tried.append(f"{response.url}: {exc}")
            yield from self._next()
            return
        links = [e.link for e in feed.entries if e.link.startswith(("http://", "https://"))]
        if not links:
            self.result.tried.append(f"{response.url}: a feed without article links")
            yield from self._next()
            return
        yield from self._found("feed", response.url, links)

    def _read_sitemap(self, response):
        body = response.body
        try:
            if body[:2] == b"\x1f\x8b":
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            entries = parse_sitemap(body)
        except (SitemapError, OSError, ValueError) as exc:
            self.result.tried.append(f"{response.url}: {exc}")
            yield from self._next()
            return
        children = [e.loc for e in entries if e.is_index]
        if children:  # an index: its newest child lists the articles
            self.queue.insert(0, ("sitemap-child", children[0]))
            self._index = response.url
            yield from self._next()
            return
        links = [e.loc for e in entries if e.loc.startswith(("http://", "https://"))]
        if not links:
            self.result.tried.append(f"{response.url}: a sitemap without article links")
            yield from self._next()
            return
        url = getattr(self, "_index", None) if response.meta["kind"] == "sitemap-child" else None
        yield from self._found("sitemap", url or response.url, links)

    def _found(self, kind: str, url: str, links: list[str]):
        result = self.result
        result.kind, result.url, result.items = kind, url, len(links)
        result.article_url = links[0]
        yield scrapy.Request(
            links[0], callback=self.parse_article, errback=self.article_failed, dont_filter=True
        )

    # -- one article ----------------------------------------------------------------------

    def parse_article(self, response):
        try:
            page = extract(response.body, url=response.url)
        except ExtractionError as exc:
            self.result.tried.append(f"{response.url}: {exc}")
            return
        self.result.article_url = response.url
        self.result.article = page.as_dict()

    def article_failed(self, failure):
        from mediawatch.scrapers.failures import describe_failure

        self.result.tried.append(describe_failure(failure))


def discover(page: str, crawler: CrawlerConfig) -> Discovery:
    """Fetch the page, robots.txt and candidates (one process, one reactor: call once)."""
    from mediawatch.scrapers.runner import scrapy_settings

    result = Discovery(page=page)
    settings = scrapy_settings(crawler, "", "CRITICAL")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")  # a handful of requests, one at a time
    settings.set("CONCURRENT_REQUESTS", 1, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(DiscoverSpider, page=page, result=result)
    process.start()
    if result.page_error:
        raise DiscoveryError(result.page_error)
    if result.kind is None:
        why = "; ".join(result.tried[:5]) or "the page names no feed and robots.txt no sitemap"
        raise DiscoveryError(f"{page}: no feed or sitemap found ({why})")
    return result
