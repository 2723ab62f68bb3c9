"""Sitemaps: indexes, gzipped files and Google News sitemaps, newest first, within the look-back window.

Indexes are followed at most MAX_SITEMAP_DEPTH levels deep, each document once per run, and no more
than the source's `max_sitemaps` documents in all: an index that lists itself and twenty new child
indexes made 7,366 requests at depth 330 before these bounds. Parsing runs in a worker thread, so a
large or hostile sitemap never holds up the other sources' downloads.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urldefrag

from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.sitemaps import SitemapError, parse_sitemap
from mediawatch.scrapers.spiders.base import NewsSpider
from scrapy.utils.gz import gunzip

MAX_CHILD_SITEMAPS = 20
MAX_SITEMAP_DEPTH = 3  # the source's own document is depth 0


class SitemapSpider(NewsSpider):
    name = "sitemap"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sitemaps_seen: set[str] = set()
        self.sitemap_budget_noted = False

    async def start_index(self):
        self.sitemaps_seen.add(urldefrag(self.source.url)[0])
        yield self.index_request(self.source.url, self.parse_sitemap)

    async def parse_sitemap(self, response, depth: int = 0):
        if self.unchanged(response):
            return
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        try:
            entries = await asyncio.to_thread(self.read_sitemap, response.body, ctype)
        except SitemapError as exc:
            self.index_failed = True
            self.record_error(f"{response.url}: {exc}")
            return
        doc = self.keep_validators(response)
        children = [e for e in entries if e.is_index and not self.too_old(e.published_at)]
        for request in self.follow_sitemaps(
            response.url, [c.loc for c in children], depth + 1, doc
        ):
            doc.children.append(request.url)  # the index is settled when its children are
            yield request
        for request in self.follow_articles(
            (
                (e.loc, Hints(title=e.title, published_at=e.published_at))
                for e in entries
                if not e.is_index
            ),
            response.request.url,
        ):
            yield request
        self.document_read(response)

    def read_sitemap(self, body: bytes, content_type: str):
        """Gunzip (within the download size limit) and parse; runs in a worker thread."""
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                raise SitemapError(f"cannot gunzip sitemap: {exc}") from None
        return parse_sitemap(body, content_type)

    def follow_sitemaps(self, parent: str, locs: list[str], depth: int, doc=None):
        """Requests for child sitemaps not yet fetched in this run, within depth and budget;
        a parent whose children were cut is not settled (its validators are not kept)."""
        fresh = []
        for loc in locs:
            url = urldefrag(loc)[0]
            if url.startswith(("http://", "https://")) and url not in self.sitemaps_seen:
                fresh.append(url)
        fresh = list(dict.fromkeys(fresh))[:MAX_CHILD_SITEMAPS]
        if fresh and depth > MAX_SITEMAP_DEPTH:
            if doc is not None:
                doc.cut = True
            self.record_error(
                f"{parent}: sitemap indexes nested more than {MAX_SITEMAP_DEPTH} levels deep; "
                f"{len(fresh)} child sitemaps not fetched"
            )
            return
        for url in fresh:
            if len(self.sitemaps_seen) >= self.source.max_sitemaps:
                if doc is not None:
                    doc.cut = True
                if not self.sitemap_budget_noted:
                    self.sitemap_budget_noted = True
                    self.record_error(
                        f"{parent}: sitemap budget of {self.source.max_sitemaps} documents "
                        "(max_sitemaps) reached; further child sitemaps not fetched"
                    )
                return
            self.sitemaps_seen.add(url)
            request = self.index_request(url, self.parse_sitemap)
            request.cb_kwargs["depth"] = depth
            yield request
