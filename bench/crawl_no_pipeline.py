"""`mediawatch crawl NAMES...` with no item pipeline: the crawl's floor, for bench/ingest.py.

Scrapy fetches the same feeds and article pages through the same settings, middlewares and
spiders, and the extract worker is forked as usual, but the pages are dropped where the archive
pipeline would extract, flag and store them. What this costs a page is what the rest of the crawl
can never go below.
"""

import sys

import mediawatch.scrapers.settings as crawl_settings

from mediawatch.cli import main

if __name__ == "__main__":
    crawl_settings.ITEM_PIPELINES = {}  # read when the crawl builds its settings, after this
    sys.argv = ["mediawatch", "crawl", *sys.argv[1:]]
    main()
