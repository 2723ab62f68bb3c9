"""Settings of `scrapy crawl` / `scrapy list` in the checkout (scrapy.cfg): the shared ones plus the
`crawler:` block of sources.yaml, exactly as `mediawatch crawl` applies it.

The spine reads the configuration `mediawatch` itself would use without options
(MEDIAWATCH_CONFIG_DIR / MEDIAWATCH_DB, else the checkout's) and hands the sources to the
spiders through a setting, so `scrapy crawl feed -a source=NAME` finds NAME without the scrapers
room reading files of the spine's."""

from mediawatch import config
from mediawatch.scrapers.configured import crawler_settings
from mediawatch.scrapers.settings import *  # noqa: F403 - a Scrapy settings module is a flat namespace

MEDIAWATCH_SOURCES = config.load_sources(config.config_dir())
globals().update(crawler_settings(MEDIAWATCH_SOURCES.crawler, str(config.db_path())))
