"""Downloader middlewares of a worker: politeness held across the whole cluster, and conditional
GET validators kept in Redis (a worker never opens the archive)."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mediawatch.scrapers.cluster.frontier import SLOT

if TYPE_CHECKING:
    from redis.commands.core import Script
from mediawatch.scrapers.middlewares import ConditionalGetMiddleware, add_validators

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class HostSlotMiddleware:
    """Politeness for the whole cluster: a request holds one of the host's slots in Redis while it
    is downloaded, and the slot stays taken download_delay after the answer. With a delay, a host
    has one slot (as Scrapy spaces requests to a host); without, concurrent_per_host slots. A dead
    worker's slot frees itself after the download timeout. A request naming its own download slot
    (a Google News resolution) takes that slot instead, spaced by the source's `interval`."""

    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.default = s.getfloat("MEDIAWATCH_CLUSTER_DELAY")
        self.per_host = max(1, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.hold_ms = int(s.getfloat("DOWNLOAD_TIMEOUT") * 2000)
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.count = itertools.count()
        self._release: Script | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _delay(self, request) -> float:
        spider = self.crawler.spider
        source = spider.sources.get(request.meta.get("mw_source"))
        if source is not None and request.meta.get("download_slot"):
            # a slot of its own (Google News resolutions): at most one every `interval`
            return source.resolve.interval if source.resolve is not None else self.default
        if source is not None and source.download_delay is not None:
            return source.download_delay
        return self.default

    async def process_request(self, request):
        r = self.crawler.spider.frontier.r
        if self._release is None:
            self._release = r.register_script(_RELEASE)
        host = request.meta.get("download_slot") or urlsplit(request.url).netloc
        slots = 1 if self._delay(request) > 0 else self.per_host
        token = f"{self.me}:{next(self.count)}"
        while True:
            for i in range(slots):
                key = f"{SLOT}{host}:{i}"
                if r.set(key, token, nx=True, px=self.hold_ms):
                    request.meta["mw_slot"] = (key, token)
                    return None
            await asyncio.sleep(0.02)

    def _free(self, request) -> None:
        held = request.meta.pop("mw_slot", None)
        if held and self._release is not None:  # held: the script is registered
            key, token = held
            self._release(keys=[key], args=[token, int(self._delay(request) * 1000)])

    def process_response(self, request, response):
        self._free(request)
        return response

    def process_exception(self, request, exception):
        self._free(request)
        return None


class RedisConditionalGetMiddleware(ConditionalGetMiddleware):
    """The ETag / Last-Modified of each feed and sitemap, shared by all workers in Redis."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.enabled = True  # the validators live in Redis here, not in the archive

    def process_request(self, request):
        if not request.meta.get("conditional"):
            return None
        add_validators(request, self.crawler.spider.frontier.validators(request.url))
        return None
