"""One article page per turn of the crawl's event loop, process-wide.

Extraction, matching and storing are synchronous CPU work (30 ms or more a page) on the reactor's
thread. Scrapy starts processing every downloaded response at once, so one turn of the event loop
used to run every page that had arrived: with ten crawlers in a process that was seconds between
two looks at the sockets, and a download reads one 64 KiB chunk per look. Large pages then took
longer than the time limit per URL to arrive from a server on the same machine, failed, and were
fetched again next crawl (and the crawl waited for their time-outs before it could end). Letting one
page through per turn keeps the downloads, timers and the work moving together.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# one gate per event loop (a test process may run several loops, one after another)
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def one_page_per_turn() -> AsyncIterator[None]:
    """Runs the body while no other page's body runs in this turn of the loop, then hands the
    loop back (sockets and timers are served) before the next page's body starts."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not inside an asyncio loop (another reactor): nothing to share
        yield
        return
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Lock()
    async with gate:
        try:
            yield
        finally:
            await asyncio.sleep(0)  # the waiting page starts in a later turn, after the I/O
