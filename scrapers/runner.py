"""Runs one Scrapy crawl (one reactor, one process) over a group of sources, into the archive."""

from __future__ import annotations

import gc
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from mediawatch.scrapers.configured import crawler_settings
from mediawatch.scrapers.extract_worker import ExtractWorker
from mediawatch.scrapers.gnews_resolve import Resolver
from mediawatch.scrapers.progress import Board, open_board
from mediawatch.scrapers.sources import CrawlerConfig, Source
from mediawatch.scrapers.spiders.base import NewsSpider
from mediawatch.scrapers.spiders.feed import FeedSpider
from mediawatch.scrapers.spiders.gdelt import GdeltSpider
from mediawatch.scrapers.spiders.gnews import GnewsSpider
from mediawatch.scrapers.spiders.listing import ListingSpider
from mediawatch.scrapers.spiders.sitemap import SitemapSpider
from mediawatch.scrapers.spiders.wayback import WaybackSpider
from mediawatch.scrapers.stats import DUPLICATES, NEW_ARTICLES
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from mediawatch import db

SPIDERS = {
    "feed": FeedSpider,
    "sitemap": SitemapSpider,
    "listing": ListingSpider,
    "gnews": GnewsSpider,
    "gdelt": GdeltSpider,
    "wayback": WaybackSpider,
}


@dataclass
class RunSummary:
    source: str
    status: str
    requests: int
    new_articles: int
    duplicates: int
    errors: list[str]
    # failed for a reason of the crawl itself, not of the site's answer: the archive refused a
    # write (full disk, corrupt file) or a parser raised; always worth a non-zero exit
    severe: bool = False


def scrapy_settings(crawler: CrawlerConfig, db_path: str, log_level: str) -> Settings:
    settings = Settings()
    settings.setmodule("mediawatch.scrapers.settings", priority="project")
    settings.update(
        {**crawler_settings(crawler, db_path), "LOG_LEVEL": log_level}, priority="cmdline"
    )
    return settings


# Libraries extract() calls on every page, with debug logging in their inner loops (trafilatura
# about 40 records a page). Scrapy sets the root logger to NOTSET and filters in its handler, so
# each of those records was built, timestamped and handed to the handler only to be dropped.
EXTRACTION_LOGGERS = ("trafilatura", "htmldate", "justext", "courlan", "readability")


@contextmanager
def extraction_logging(level: str) -> Iterator[None]:
    """The extraction libraries log at the crawl's level (what its handler shows anyway) while it
    runs; their own levels come back afterwards (a crawl may run inside a test process)."""
    loggers = [logging.getLogger(name) for name in EXTRACTION_LOGGERS]
    saved = [logger.level for logger in loggers]
    try:
        _quiet_extraction_loggers(level)
        yield
    finally:
        for logger, old in zip(loggers, saved, strict=True):
            logger.setLevel(old)


def _quiet_extraction_loggers(level: str) -> None:
    wanted = logging.getLevelName(level)
    for name in EXTRACTION_LOGGERS:
        logger = logging.getLogger(name)
        if isinstance(wanted, int) and logger.getEffectiveLevel() < wanted:
            logger.setLevel(wanted)


# The cyclic collector's first generation, in allocations between collections (Python's default is
# 700). Extraction allocates thousands of short-lived containers per page in a process that also
# holds Scrapy's and the matcher's objects; at 700 the collector ran about five times per page,
# moving the survivors into older generations that are rescanned, and took ~2 ms of each page's CPU.
CRAWL_GC_THRESHOLD = 20_000


@contextmanager
def crawl_gc() -> Iterator[None]:
    """Fewer, larger young-generation collections while the crawl runs (the garbage is the same,
    only collected less often); the previous thresholds come back afterwards."""
    saved = gc.get_threshold()
    _raise_gc_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _raise_gc_threshold() -> None:
    first, *older = gc.get_threshold()
    gc.set_threshold(max(first, CRAWL_GC_THRESHOLD), *older)


def register_sources(db_path: str, sources: list[Source]):
    """The sources' rows in the archive, which their crawl runs refer to; returns the connection
    (the caller closes it; each crawler opens its own, see scrapers/archive.py)."""
    conn = db.connect(str(db_path))
    try:
        db.sync_sources(
            conn,
            [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "url": s.url,
                    "outlet": s.outlet,
                    "enabled": int(s.enabled),
                }
                for s in sources
            ],
        )
    except sqlite3.Error as exc:
        conn.conn.close()
        raise db.ArchiveError(f"{db_path}: cannot write to the archive: {exc}") from None
    return conn


def _prepare_worker(log_level: str) -> None:
    """In the extract worker (which has no Scrapy log handler, and ends with the crawl): records
    below the crawl's level are not built, and the collector runs as in the crawl."""
    logging.getLogger().setLevel(log_level)
    _quiet_extraction_loggers(log_level)
    _raise_gc_threshold()


def _crawl(sources, settings, matcher, extractor, log_level: str, board: Board | None) -> list:
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        c = process.create_crawler(SPIDERS[source.kind])
        crawlers.append(c)
        process.crawl(c, source=source, matcher=matcher, extractor=extractor)
    if board is not None:
        for source in sources:
            board.add(source.name)
        open_board(board)
    try:
        with extraction_logging(log_level), crawl_gc():
            process.start()
    finally:
        if board is not None:
            board.stop()
            open_board(None)
    return crawlers


def run_crawl(
    sources: list[Source],
    crawler: CrawlerConfig,
    db_path: str,
    matcher=None,
    log_level: str = "WARNING",
    board: Board | None = None,
) -> list[RunSummary]:
    """Crawl the sources concurrently (politeness is per host) and return what each run did;
    `board` shows each source's progress while it runs."""
    register_sources(db_path, sources).conn.close()
    settings = scrapy_settings(crawler, str(db_path), log_level)
    settings.set("DOWNLOAD_SLOTS", Resolver.slot_settings(sources), priority="cmdline")
    if any(s.render for s in sources):  # only then: other crawls never load Playwright
        from mediawatch.scrapers import render

        base = {"DOWNLOADER_MIDDLEWARES": settings.getdict("DOWNLOADER_MIDDLEWARES")}
        settings.update(render.scrapy_settings(crawler, base), priority="cmdline")
    # forked before the reactor exists and before any thread starts
    try:
        extractor: ExtractWorker | None = ExtractWorker(prepare=partial(_prepare_worker, log_level))
    except OSError as exc:  # no process to spare: the crawl process extracts, as it can
        logging.getLogger(__name__).warning("no extract worker (%s): extracting in the crawl", exc)
        extractor = None
    try:
        crawlers = _crawl(sources, settings, matcher, extractor, log_level, board)
    finally:
        if extractor is not None:
            extractor.close()
    summaries = []
    for source, c in zip(sources, crawlers, strict=True):
        spider = c.spider
        if not isinstance(spider, NewsSpider) or not hasattr(spider, "final_status"):
            summaries.append(
                RunSummary(source.name, "failed", 0, 0, 0, ["crawl did not run"], True)
            )
            continue
        summaries.append(
            RunSummary(
                source=spider.source.name,
                status=spider.final_status,
                requests=c.stats.get_value("downloader/request_count", 0),
                new_articles=c.stats.get_value(NEW_ARTICLES, 0),
                duplicates=c.stats.get_value(DUPLICATES, 0),
                errors=list(spider.final_errors),
                severe=spider.store_failed or spider.crashed,
            )
        )
    return summaries
