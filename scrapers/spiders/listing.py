"""Listing sources: an HTML section page, a selector for article links, optional pagination."""

from __future__ import annotations

from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.spiders.base import NewsSpider


def select(response, selector: str) -> list[str]:
    """CSS, or XPath when it starts with '/' or '('; elements give their href, text nodes themselves."""
    found = response.xpath(selector) if selector.startswith(("/", "(")) else response.css(selector)
    values = []
    for node in found:
        href = node.attrib.get("href") if hasattr(node, "attrib") else None
        values.append(href if href else node.get())
    return [v.strip() for v in values if v and v.strip()]


class ListingSpider(NewsSpider):
    name = "listing"

    async def start_index(self):
        yield self.index_request(self.source.url, self.parse_listing, conditional=False)

    def parse_listing(self, response, page: int = 1):
        selector = self.source.links
        if selector is None:  # never: the sources check requires links: for a listing source
            raise ValueError(f"{self.source.name}: a listing source without links")
        links = [response.urljoin(href) for href in select(response, selector)]
        if not links:
            self.record_error(f"{response.url}: no article links matched {self.source.links!r}")
        yield from self.follow_articles((url, Hints()) for url in dict.fromkeys(links))
        if self.source.next_page and page < self.source.max_listing_pages:
            nxt = select(response, self.source.next_page)
            if nxt:
                request = self.index_request(response.urljoin(nxt[0]), self.parse_listing, False)
                request.cb_kwargs["page"] = page + 1
                yield request
