"""Scrapy settings from the `crawler:` block of sources.yaml: one mapping for both ways in.

`mediawatch crawl` applies it over scrapers.settings; `scrapy crawl` in the checkout reads
scrapers.checkout_settings, which applies the same mapping to the configuration it finds
(MEDIAWATCH_CONFIG_DIR / MEDIAWATCH_DB, else the checkout's), so both honour the same file.
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


def checkout_settings() -> dict[str, Any]:
    """The mapping for the configuration `mediawatch` itself would use without options."""
    from mediawatch import config

    cfg = config.load_sources(config.config_dir())
    return crawler_settings(cfg.crawler, str(config.db_path()))
