"""Start requests as the daemon puts them into the shared queue, in scrapy-redis's own format.

The daemon builds them without a spider: callbacks are named, and the worker's spider resolves the
names (`dispatch`, `dispatch_error`) and hands each response to the source's own spider code.
"""

from __future__ import annotations

import scrapy
from scrapy_redis import picklecompat

# kind -> (the source spider's first callback, whether the document is fetched conditionally).
# gnews is not here: its link resolution keeps its state in the archive, which workers never open.
START = {
    "feed": ("parse_feed", True),
    "sitemap": ("parse_sitemap", True),
    "listing": ("parse_listing", False),
    "gdelt": ("parse_api", False),
}


def start_request_data(source, run: int) -> bytes:
    callback, conditional = START[source.kind]
    request = scrapy.Request(
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
    data = request.to_dict()
    data["callback"] = "dispatch"
    data["errback"] = "dispatch_error"
    return picklecompat.dumps(data)
