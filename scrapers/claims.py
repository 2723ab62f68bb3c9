"""Crawl-wide claims: one crawl (one process, every spider in it) fetches one article URL once.

The archive answers "was this URL stored before?"; while a crawl runs, several sources may lead to
the same article (a feed, a listing, a search) before any of them stored it. The first request
claims every form of its URL (as given, tracking parameters stripped, later its redirect target
and canonical URL); the others are never sent. Per process: a cluster would keep this in Redis.
"""

from __future__ import annotations

from collections.abc import Iterable

from mediawatch.scrapers.canonical import strip_tracking
from scrapy.exceptions import IgnoreRequest

_CLAIMED: dict[str, str] = {}  # URL form -> the URL of the request that claimed it


class AlreadyClaimed(IgnoreRequest):
    """Another request of this crawl fetches (or fetched) this article."""


def owner(source: str, url: str) -> str:
    """Who claims: one source's request for one URL (two sources may list the same URL)."""
    return f"{source} {url}"


def forms(url: str) -> set[str]:
    return {url, strip_tracking(url)}


def claim(urls: Iterable[str], owner: str) -> bool:
    """Claim every form for `owner`; False (claiming nothing) if another owner has any of them."""
    wanted = {u for u in urls if u}
    if any(_CLAIMED.get(u, owner) != owner for u in wanted):
        return False
    for u in wanted:
        _CLAIMED.setdefault(u, owner)
    return True


def reset() -> None:
    _CLAIMED.clear()


class ClaimRedirectsMiddleware:
    """A redirected article request claims its target: two sources whose links redirect to the
    same page (or one links the page another's link redirects to) download it once."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        redirected = request.meta.get("redirect_urls")
        if not redirected or "hints" not in request.meta:
            return None
        if not claim(forms(request.url), owner(self.crawler.spider.name, redirected[0])):
            raise AlreadyClaimed(f"{request.url}: fetched by another source of this crawl")
        return None
