"""Settings of `scrapy crawl` / `scrapy list` in the checkout (scrapy.cfg): the shared ones plus the
`crawler:` block of sources.yaml, exactly as `mediawatch crawl` applies it."""

from mediawatch.scrapers.configured import checkout_settings
from mediawatch.scrapers.settings import *  # noqa: F403 - a Scrapy settings module is a flat namespace

globals().update(checkout_settings())
