"""Google News RSS searches: decode publisher URLs where possible, store the rest as unresolved items."""

from __future__ import annotations

from scrapers.gnews import decode_link, is_gnews_link, split_title
from scrapers.items import Hints, UnresolvedItem
from scrapers.spiders.feed import FeedSpider


class GnewsSpider(FeedSpider):
    name = "gnews"

    def handle_entries(self, entries, document: str):
        follow = []
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
                self.note_item_date(e.published_at)
                yield UnresolvedItem(source=self.source.name, link=e.link, hints=hints)
        yield from self.follow_articles(follow, document)
