"""Scrapy settings from the `crawler:` block of sources.yaml: one mapping for both ways in.

`mediawatch crawl` applies it over scrapers.settings; `scrapy crawl` in the checkout reads
mediawatch.scrapy_settings, which applies the same mapping to the configuration it finds, so
both honour the same file.
"""

from __future__ import annotations

from typing import Any

from mediawatch.scrapers.sources import CrawlerConfig


def crawler_settings(crawler: CrawlerConfig, db_path: str) -> dict[str, Any]:
    return {
        "USER_AGENT": crawler.agent,
        "ROBOTSTXT_OBEY": crawler.obey_robots,
        "DOWNLOAD_DELAY": crawler.download_delay,
        "AUTOTHROTTLE_ENABLED": crawler.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawler.download_delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawler.concurrent_per_host,
        "DOWNLOAD_MAXSIZE": crawler.max_download_size,
        "DOWNLOAD_WARNSIZE": crawler.max_download_size // 2,
        "DOWNLOAD_TIMEOUT": crawler.timeout,
        "MEDIAWATCH_ALLOW_LOOPBACK": crawler.allow_loopback,
        "MEDIAWATCH_ALLOW_PRIVATE": crawler.allow_private,
        "MEDIAWATCH_DB_PATH": db_path,
    }
