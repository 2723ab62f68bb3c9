"""Records each spider's run in crawl_runs and the source's health, whatever way the crawl ends."""

from __future__ import annotations

from scrapy import signals

import db
from scrapers.archive import archive


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        conn = archive(spider.db_path)
        db.fail_stale_runs(conn, spider.source.name)
        spider.run_id = db.start_run(conn, spider.source.name)

    def closed(self, spider, reason):
        if spider.run_id is None:
            return
        errors = list(spider.errors)
        status = "failed" if spider.index_failed else "ok"
        if reason != "finished":
            status = "failed"
            errors.insert(0, f"crawl ended early: {reason}")
        stats = self.crawler.stats
        db.finish_run(
            archive(spider.db_path),
            spider.run_id,
            status=status,
            requests=stats.get_value("downloader/request_count", 0),
            new_articles=spider.new_articles,
            duplicates=spider.duplicates,
            error_messages=errors,
            newest_item_at=spider.newest_item_at,
        )
