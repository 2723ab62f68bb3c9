"""Records each spider's run in crawl_runs and the source's health, whatever way the crawl ends.

A run is failed when its document could not be read, when a callback or parser raised (a
RecursionError, a MemoryError: Scrapy would only log it), or when the archive refused a write
(a full disk, a corrupt file): what was fetched then is not stored, and the operator must know.
"""

from __future__ import annotations

import sqlite3

from mediawatch.scrapers.archive import archive_of
from mediawatch.scrapers.stats import DUPLICATES, NEW_ARTICLES
from scrapy import signals

from mediawatch import db


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.failed_callback, signal=signals.spider_error)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        try:
            conn = archive_of(self.crawler)
            db.fail_stale_runs(conn, spider.source.name)
            spider.run_id = db.start_run(conn, spider.source.name)
        except Exception as exc:  # noqa: BLE001 - the spider then requests nothing
            spider.note_store_failure(
                f"archive: cannot record the run: {type(exc).__name__}: {exc}"
            )

    def failed_callback(self, failure, response, spider):
        """An exception in a callback (a parser that blew up, an archive read that failed)."""
        exc = failure.value
        spider.crashed = True
        if isinstance(exc, db.ArchiveError | sqlite3.Error):
            spider.store_failed = True
        detail = str(exc)[:300] or "no detail"
        spider.record_error(f"{response.url}: failed: {type(exc).__name__}: {detail}")

    def closed(self, spider, reason):
        errors = list(spider.errors)
        status = "ok"
        if spider.index_failed or spider.crashed or spider.store_failed:
            status = "failed"
        if reason != "finished":
            status = "failed"
            errors.insert(0, f"crawl ended early: {reason}")
        elif not spider.store_failed:
            try:
                spider.save_settled_validators()
            except Exception as exc:  # noqa: BLE001 - the feed is then read in full next time
                spider.store_failed = True
                status = "failed"
                errors.append(f"archive: cannot keep the validators: {exc}")
        spider.final_status = status
        spider.final_errors = errors
        if spider.run_id is None:
            return
        stats = self.crawler.stats
        try:
            db.finish_run(
                archive_of(self.crawler),
                spider.run_id,
                status=status,
                requests=stats.get_value("downloader/request_count", 0),
                new_articles=stats.get_value(NEW_ARTICLES, 0),
                duplicates=stats.get_value(DUPLICATES, 0),
                error_messages=errors,
                newest_item_at=spider.newest_item_at,
            )
        except Exception as exc:  # noqa: BLE001 - said in the summary and the exit status
            spider.store_failed = True
            spider.final_status = "failed"
            errors.append(f"archive: cannot record the run: {type(exc).__name__}: {exc}")
