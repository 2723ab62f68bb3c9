"""`mediawatch worker`: one long-running Scrapy process that crawls from the shared Redis queue.

It uses the same Scrapy settings as a local crawl (robots.txt, address safety, limits, retries),
with scrapy-redis's scheduler and dupefilter, the host slots in Redis, and the stream pipeline.
"""

from __future__ import annotations

import logging

from mediawatch.scrapers.cluster.frontier import DUPEFILTER, QUEUE, RETRY_ERRORS, client_params
from mediawatch.scrapers.cluster.spider import ClusterSpider
from mediawatch.scrapers.runner import scrapy_settings
from mediawatch.scrapers.stats import CLUSTER_PAGES
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from twisted.internet import task

HEARTBEAT_EVERY = 10.0

log = logging.getLogger(__name__)


def worker_settings(crawler_cfg, redis_url: str, concurrency: int, log_level: str):
    settings = scrapy_settings(crawler_cfg, "", log_level)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.update(
        {
            "mediawatch.scrapers.middlewares.ConditionalGetMiddleware": None,
            # crawl-wide claims live in Redis here (frontier.claim), not in one process's memory
            "mediawatch.scrapers.claims.ClaimRedirectsMiddleware": None,
            "mediawatch.scrapers.cluster.middlewares.RedisConditionalGetMiddleware": 560,
            # next to the download itself (a browser page, when rendering, opens after the slot is held)
            "mediawatch.scrapers.cluster.middlewares.HostSlotMiddleware": 945,
        }
    )
    settings.update(
        {
            "SCHEDULER": "mediawatch.scrapers.cluster.scheduler.ClusterScheduler",
            "SCHEDULER_QUEUE_CLASS": "mediawatch.scrapers.cluster.scheduler.LeasedQueue",
            "SCHEDULER_QUEUE_KEY": QUEUE,
            "SCHEDULER_DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER,
            "SCHEDULER_PERSIST": True,  # the queue belongs to the cluster, not to this worker
            "REDIS_URL": redis_url,
            "REDIS_PARAMS": client_params(),
            "CONCURRENT_REQUESTS": concurrency,
            # the host slot in Redis spaces requests for the whole cluster; a local delay on top
            # would only add random jitter after the slot was taken
            "MEDIAWATCH_CLUSTER_DELAY": settings.getfloat("DOWNLOAD_DELAY"),
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "ITEM_PIPELINES": {"mediawatch.scrapers.cluster.pipeline.StreamPipeline": 300},
            "EXTENSIONS": {
                "mediawatch.scrapers.extensions.CrawlRunRecorder": None,
                "mediawatch.scrapers.cluster.worker.Heartbeat": 500,
            },
            "MEDIAWATCH_DB_PATH": "",
        },
        priority="cmdline",
    )
    return settings


class Heartbeat:
    """Says the worker is alive (host, pid, pages, last error) and keeps its leases from expiring;
    on a graceful stop, gives back the leases it still holds."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.loop = task.LoopingCall(self.beat)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.loop.start(HEARTBEAT_EVERY, now=True)

    def beat(self):
        spider = self.crawler.spider
        try:
            spider.frontier.extend(sorted(spider.held))
            spider.frontier.heartbeat(
                self.crawler.stats.get_value(CLUSTER_PAGES, 0),
                spider.last_error,
                self.crawler.settings.getint("CONCURRENT_REQUESTS"),
            )
        except RETRY_ERRORS as exc:
            log.warning("heartbeat: Redis unreachable: %s", exc)

    def closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        for lease in sorted(spider.held):
            try:
                spider.frontier.release(lease)
            except RETRY_ERRORS as exc:  # the lease expires and the writer re-queues it
                log.warning("could not give back lease %s: %s", lease, exc)
        spider.held.clear()


def run_worker(sources, crawler_cfg, redis_url: str, matcher, concurrency: int, log_level: str):
    settings = worker_settings(crawler_cfg, redis_url, concurrency, log_level)
    if any(s.render for s in sources):  # as a local crawl: only then Playwright and a browser
        from mediawatch.scrapers import render

        base = {"DOWNLOADER_MIDDLEWARES": settings.getdict("DOWNLOADER_MIDDLEWARES")}
        settings.update(render.scrapy_settings(crawler_cfg, base), priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(ClusterSpider, sources=sources, redis_url=redis_url, matcher=matcher)
    process.start()
