"""`mediawatch crawl NAMES...` with no item pipeline: the crawl's floor, for bench/ingest.py.

Scrapy fetches the same feeds and article pages through the same settings, middlewares and
spiders, and the extract worker is forked as usual, but the pages are dropped where the archive
pipeline would extract, flag and store them. What this costs a page is what the rest of the crawl
can never go below.
"""

import sys

from mediawatch.scrapers import runner

from mediawatch.cli import main

_with_pipeline = runner.scrapy_settings


def _without_pipeline(*args, **kwargs):
    settings = _with_pipeline(*args, **kwargs)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    return settings


if __name__ == "__main__":
    runner.scrapy_settings = _without_pipeline  # run_crawl builds the crawl's settings with it
    sys.argv = ["mediawatch", "crawl", *sys.argv[1:]]
    main()
