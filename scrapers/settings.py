"""Scrapy settings shared by every crawl; per-run values (user agent, limits) come from sources.yaml."""

from scrapy.settings import default_settings as _defaults

BOT_NAME = "mediawatch"
SPIDER_MODULES = ["mediawatch.scrapers.spiders"]
NEWSPIDER_MODULE = "mediawatch.scrapers.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "mediawatch/0.1 (+https://github.com/mediawatch/mediawatch)"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# The pipeline is synchronous, so items gain nothing from running side by side; Scrapy starts this
# many asyncio workers for every callback's output (100 by default), which costs CPU on each page.
CONCURRENT_ITEMS = 4
# Downloaded pages waiting for the pipeline, per crawler, in bytes (Scrapy's default is 5 MB): a
# process runs one crawler per source and the pipeline is CPU-bound, so at 5 MB ten crawlers held
# ~50 MB of pages the process could not reach for seconds, and kept downloading more.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2_000_000
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5

DOWNLOADER_MIDDLEWARES = {
    "mediawatch.scrapers.middlewares.AddressSafetyMiddleware": 50,
    "mediawatch.scrapers.middlewares.ConditionalGetMiddleware": 560,
    "mediawatch.scrapers.middlewares.RetryAfterMiddleware": 555,
    "mediawatch.scrapers.middlewares.UrlTimeLimitMiddleware": 580,
    # Scrapy's reads the whole page to find a <meta http-equiv="refresh"> in its head
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    # 585 keeps the order two equal numbers gave: a response meets it before UrlTimeLimitMiddleware
    "mediawatch.scrapers.middlewares.HeadMetaRefreshMiddleware": 585,
    "mediawatch.scrapers.claims.ClaimRedirectsMiddleware": 590,  # redirected requests pass here again
}
ITEM_PIPELINES = {"mediawatch.scrapers.pipelines.ArchivePipeline": 300}
EXTENSIONS = {
    "mediawatch.scrapers.archive.ArchiveConnection": 400,  # the other components' archive
    "mediawatch.scrapers.extensions.CrawlRunRecorder": 500,
    "mediawatch.scrapers.progress.CrawlProgress": 510,
}
# Scrapy imports every listed extension, even one set to None; these two are never used by a crawl
# and importing them (twisted.conch, aiohttp) delays every crawl's first request by ~0.5 s.
EXTENSIONS_BASE = {
    path: order
    for path, order in _defaults.EXTENSIONS_BASE.items()
    if path
    not in (
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.extensions.remote_control.RemoteControl",
    )
}

MEDIAWATCH_ALLOW_LOOPBACK = False
MEDIAWATCH_ALLOW_PRIVATE = False
MEDIAWATCH_MAX_RETRY_AFTER = 120
MEDIAWATCH_URL_TIME_LIMIT = 0  # seconds one URL may take across retries; 0: 1.5 x DOWNLOAD_TIMEOUT

LOG_LEVEL = "INFO"
# judges every resolved address, so the address connected to is the one checked (no DNS rebinding)
TWISTED_DNS_RESOLVER = "mediawatch.scrapers.resolver.SafeResolver"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
