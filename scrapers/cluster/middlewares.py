"""Downloader middlewares of a worker: politeness held across the whole cluster, and conditional
GET validators kept in Redis (a worker never opens the archive)."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

from scrapers.cluster.frontier import SLOT
from scrapers.middlewares import ConditionalGetMiddleware


class HostSlotMiddleware:
    """Before each request, take the host's slot in Redis (SET NX PX download_delay): two requests
    to one host, from any workers, are at least download_delay apart."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.default = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.me = str(os.getpid())

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        spider = self.crawler.spider
        host = urlsplit(request.url).hostname or ""
        delay = self.default
        name = request.meta.get("mw_source")
        if name in spider.sources and spider.sources[name].download_delay is not None:
            delay = spider.sources[name].download_delay
        if delay <= 0:
            return None
        r = spider.frontier.r
        key = f"{SLOT}{urlsplit(request.url).netloc or host}"
        while not r.set(key, self.me, nx=True, px=max(1, int(delay * 1000))):
            wait = r.pttl(key)
            await asyncio.sleep(max(wait, 5) / 1000)
        return None


class RedisConditionalGetMiddleware(ConditionalGetMiddleware):
    """The ETag / Last-Modified of each feed and sitemap, shared by all workers in Redis."""

    def __init__(self, crawler):
        super().__init__("redis")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if not request.meta.get("conditional"):
            return None
        saved = self.crawler.spider.frontier.validators(request.url)
        if saved.get("etag"):
            request.headers.setdefault(b"If-None-Match", saved["etag"].encode("latin-1"))
        if saved.get("last_modified"):
            request.headers.setdefault(
                b"If-Modified-Since", saved["last_modified"].encode("latin-1")
            )
        return None
