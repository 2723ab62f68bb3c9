"""Sitemaps: indexes, gzipped files and Google News sitemaps, newest first, within the look-back window."""

from __future__ import annotations

from scrapy.utils.gz import gunzip

from scrapers.items import Hints
from scrapers.sitemaps import SitemapError, parse_sitemap
from scrapers.spiders.base import NewsSpider

MAX_CHILD_SITEMAPS = 20


class SitemapSpider(NewsSpider):
    name = "sitemap"

    async def start_index(self):
        yield self.index_request(self.source.url, self.parse_sitemap)

    def parse_sitemap(self, response):
        if self.unchanged(response):
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                self.index_failed = True
                self.record_error(f"{response.url}: cannot gunzip sitemap: {exc}")
                return
        try:
            entries = parse_sitemap(body)
        except SitemapError as exc:
            self.index_failed = True
            self.record_error(f"{response.url}: {exc}")
            return
        doc = self.keep_validators(response)
        children = [e for e in entries if e.is_index and not self.too_old(e.published_at)]
        for child in children[:MAX_CHILD_SITEMAPS]:
            request = self.index_request(child.loc, self.parse_sitemap)
            doc.children.append(request.url)  # the index is settled when its children are
            yield request
        yield from self.follow_articles(
            (
                (e.loc, Hints(title=e.title, published_at=e.published_at))
                for e in entries
                if not e.is_index
            ),
            response.request.url,
        )
        self.document_read(response)
