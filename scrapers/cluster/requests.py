"""Start requests as the daemon puts them into the shared queue, in scrapy-redis's own format.

The daemon builds them without a spider: callbacks are named, and the worker's spider resolves the
names (`dispatch`, `dispatch_error`) and hands each response to the source's own spider code.
"""

from __future__ import annotations

import scrapy
from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.spiders.base import HINT_FIELDS
from scrapy_redis import picklecompat

# kind -> (the source spider's first callback, whether the document is fetched conditionally).
# A gnews source's link resolution runs in the workers too (scrapers.cluster.gnews).
START = {
    "feed": ("parse_feed", True),
    "sitemap": ("parse_sitemap", True),
    "listing": ("parse_listing", False),
    "gdelt": ("parse_api", False),
    "gnews": ("parse_feed", True),
}


def start_request_data(source, run: int) -> bytes:
    callback, conditional = START[source.kind]
    return _data(
        scrapy.Request(
            source.url,
            dont_filter=True,  # index documents are polled again on every schedule
            meta={
                "conditional": conditional,
                "source_name": source.name,
                "handle_httpstatus_list": [304],
                "mw_source": source.name,
                "mw_cb": callback,
                "mw_run": run,
            },
        )
    )


def backlog_request_data(source, run: int, url: str, hints: dict) -> bytes:
    """An article the source named in an earlier cycle and that is not settled yet."""
    known = {k: v for k, v in hints.items() if k in HINT_FIELDS}
    return _data(
        scrapy.Request(
            url,
            meta={
                "hints": Hints(**known),
                "backlog": url,
                "source_name": source.name,
                "mw_source": source.name,
                "mw_cb": "parse_article",
                "mw_run": run,
            },
        )
    )


def _data(request: scrapy.Request) -> bytes:
    data = request.to_dict()
    data["callback"] = "dispatch"
    data["errback"] = "dispatch_error"
    return picklecompat.dumps(data)
