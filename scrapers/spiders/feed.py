"""RSS, Atom and JSON Feed sources: each item is followed to its article page.

The feed is parsed in a worker thread, so a large or hostile feed never holds up other sources.
"""

from __future__ import annotations

import asyncio

from mediawatch.scrapers.feeds import FeedError, parse_feed
from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.spiders.base import NewsSpider


class FeedSpider(NewsSpider):
    name = "feed"

    async def start_index(self):
        yield self.index_request(self.source.url, self.parse_feed)

    async def parse_feed(self, response):
        if self.unchanged(response):
            return
        try:
            feed = await asyncio.to_thread(
                parse_feed,
                response.body,
                response.headers.get(b"Content-Type", b"").decode("latin-1"),
                response.url,
            )
        except FeedError as exc:
            self.index_failed = True
            self.record_error(f"{response.url}: {exc}")
            return
        self.keep_validators(response)
        for request in self.handle_entries(feed.entries, response.request.url):
            yield request
        self.document_read(response)

    def handle_entries(self, entries, document: str):
        yield from self.follow_articles(
            (
                (
                    e.link,
                    Hints(title=e.title, published_at=e.published_at, authors=e.authors),
                )
                for e in entries
            ),
            document,
        )
