"""Wayback sources: an outlet's pages as the Internet Archive captured them.

For outlets whose own site keeps no history: the CDX API lists captures of the source's URL
patterns, and each raw capture is fetched from the archive. The article is stored under its
original URL, with the capture time and the copy's address in its metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import scrapy
from mediawatch.scrapers.canonical import strip_tracking
from mediawatch.scrapers.items import ArticlePage, Hints
from mediawatch.scrapers.spiders.base import HTML_TYPES, NewsSpider
from mediawatch.scrapers.wayback import Capture, CdxError, cdx_url, copy_url, parse_cdx

from mediawatch import db


class WaybackSpider(NewsSpider):
    name = "wayback"

    @property
    def cdx_endpoint(self) -> str:
        """The CDX API: the sources check gives every wayback source one (the default if unset)."""
        if not self.source.endpoint:
            raise ValueError(f"{self.source.name}: a wayback source without an endpoint")
        return self.source.endpoint

    def lookback_window(self) -> tuple[datetime, datetime]:
        now = datetime.now(UTC)
        return now - timedelta(seconds=self.source.lookback), now

    async def start(self):
        start, end = self.lookback_window()
        for pattern in self.source.patterns:
            url = cdx_url(self.cdx_endpoint, pattern, start, end)
            yield self.index_request(url, self.parse_cdx, conditional=False)

    def read_cdx(self, response) -> tuple[list[Capture], str | None] | None:
        try:
            return parse_cdx(response.body)
        except CdxError as exc:
            self.index_failed = True
            self.record_error(f"{response.url}: {exc}")
            return None

    def parse_cdx(self, response):
        found = self.read_cdx(response)
        if found is None:
            return
        captures, _ = found  # a normal crawl looks back a little: one page is plenty
        since = db.utc_iso(self.lookback_window()[0])
        captures = [c for c in captures if c.captured_at >= since]
        forms = {c.original: {c.original, strip_tracking(c.original)} for c in captures}
        known = db.known_urls(self.archive, [f for fs in forms.values() for f in fs])
        for capture in sorted(captures, key=lambda c: c.timestamp, reverse=True):
            if forms[capture.original] & known:
                continue
            if self.article_requests >= self.source.max_pages:
                return
            self.article_requests += 1
            known |= forms[capture.original]
            yield self.copy_request(capture.original, self.capture_hints(capture))

    def capture_hints(self, capture: Capture) -> Hints:
        return Hints(
            archived_at=capture.captured_at, archive_url=copy_url(self.cdx_endpoint, capture)
        )

    def copy_request(self, original: str, hints: Hints) -> scrapy.Request:
        return scrapy.Request(
            hints.archive_url or original,
            callback=self.parse_copy,
            errback=self.article_error,
            meta={"hints": hints, "original": original},
        )

    def parse_copy(self, response):
        """The archived page, stored under its original URL."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if ctype and not ctype.startswith(HTML_TYPES):
            self.record_error(f"{response.url}: not an HTML page ({ctype.split(';')[0]})")
            return
        original = response.meta["original"]
        yield ArticlePage(
            source=self.source.name,
            request_url=original,
            url=original,
            body=response.body,
            content_type=ctype,
            hints=response.meta.get("hints") or Hints(),
        )
