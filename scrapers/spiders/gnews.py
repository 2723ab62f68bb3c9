"""Google News RSS searches: decode publisher URLs where possible, resolve opaque links through
Google (scrapers.gnews_resolve), and store what stays opaque as unresolved items."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mediawatch.scrapers.gnews import decode_link, is_gnews_link, split_title
from mediawatch.scrapers.gnews_resolve import Pending, Resolver, token_of
from mediawatch.scrapers.items import Hints, UnresolvedItem
from mediawatch.scrapers.spiders.feed import FeedSpider
from mediawatch.times import utc_iso


class GnewsSpider(FeedSpider):
    name = "gnews"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        resolve = self.source.resolve
        self.resolver = self.make_resolver(resolve) if resolve is not None else None
        self.to_resolve: list[Pending] = []

    def make_resolver(self, config) -> Resolver:
        return Resolver(self, config)

    def handle_entries(self, entries, document: str):
        follow, opaque = [], []
        for e in entries:
            title, outlet = split_title(e.title or "", e.source_title)
            hints = Hints(title=title, published_at=e.published_at, outlet=outlet)
            if not is_gnews_link(e.link):
                follow.append((e.link, hints))
                continue
            target = decode_link(e.link)
            if target:
                follow.append((target, hints))
            elif not self.too_old(e.published_at):
                opaque.append((token_of(e.link), e.link, hints))
        cached = self.resolver.cached([t for t, _, _ in opaque if t]) if self.resolver else {}
        pending = []
        for token, link, hints in opaque:
            if token in cached:  # resolved on an earlier run: no need to ask Google again
                follow.append((cached[token], replace(hints, via=link)))
                continue
            self.note_item_date(hints.published_at)
            yield UnresolvedItem(source=self.source.name, link=link, hints=hints)
            if token:
                pending.append(Pending(token, link, hints))
        yield from self.follow_articles(follow, document)
        self.to_resolve = pending

    async def parse_feed(self, response):
        """After the feed (even an unchanged one): this run's new tokens, then the older backlog."""
        self.to_resolve = []
        async for output in super().parse_feed(response):
            yield output
        if self.resolver:
            since = utc_iso(datetime.now(UTC) - timedelta(seconds=self.source.lookback))
            for request in self.resolver.add(self.to_resolve, since):
                yield request
