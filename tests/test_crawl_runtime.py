"""What a crawl changes in its process while it runs (logging of the extraction libraries, the
collector's thresholds), and that it gives both back: crawls also run inside test processes."""

from __future__ import annotations

import gc
import logging

from mediawatch.scrapers.runner import EXTRACTION_LOGGERS, crawl_gc, extraction_logging


def test_extraction_libraries_build_no_records_below_the_crawls_level():
    # Scrapy's root handler filters at LOG_LEVEL with the root logger at NOTSET: without the
    # crawl's own levels every trafilatura debug line would be built, then dropped.
    root = logging.getLogger()
    saved_root = root.level
    inner = logging.getLogger("trafilatura.main_extractor")
    before = {name: logging.getLogger(name).level for name in EXTRACTION_LOGGERS}
    try:
        root.setLevel(logging.WARNING)
        with extraction_logging("CRITICAL"):
            root.setLevel(logging.NOTSET)  # what Scrapy does when each crawler starts
            assert not inner.isEnabledFor(logging.DEBUG)
            assert not inner.isEnabledFor(logging.WARNING)
            assert inner.isEnabledFor(logging.CRITICAL)
        assert {name: logging.getLogger(name).level for name in EXTRACTION_LOGGERS} == before
    finally:
        root.setLevel(saved_root)


def test_debug_crawls_still_show_the_extraction_libraries_debug_lines():
    root = logging.getLogger()
    saved_root = root.level
    before = {name: logging.getLogger(name).level for name in EXTRACTION_LOGGERS}
    try:
        root.setLevel(logging.WARNING)
        with extraction_logging("DEBUG"):
            # levels the libraries (or the user) set are theirs; the crawl raises none of them
            assert {name: logging.getLogger(name).level for name in EXTRACTION_LOGGERS} == before
    finally:
        root.setLevel(saved_root)


def test_the_collector_thresholds_come_back_after_the_crawl():
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with crawl_gc():
            assert gc.get_threshold()[0] >= 20_000
            assert gc.get_threshold()[1:] == (10, 10)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*saved)


def test_pages_are_processed_one_per_turn_of_the_event_loop():
    # Scrapy starts processing every downloaded response at once; processing is synchronous CPU
    # work, so without a gate one turn of the loop ran every page that had arrived, and the
    # downloads in flight (one socket read per turn) starved until they hit the time limit.
    import asyncio

    from mediawatch.scrapers.pipelines import ArchivePipeline

    turns = 0
    processed_in_turn: list[int] = []

    class Recording(ArchivePipeline):
        def handle(self, item):  # the page's work: here, noting which turn it ran in
            processed_in_turn.append(turns)
            return item

    async def crawl_turns() -> list[object]:
        nonlocal turns
        loop = asyncio.get_running_loop()
        running = True

        def tick() -> None:  # stands for the reactor serving sockets and timers once per turn
            nonlocal turns
            turns += 1
            if running:
                loop.call_soon(tick)

        loop.call_soon(tick)
        pipeline = Recording(crawler=None)
        # ten pages arrive together, as from ten crawlers of one process
        results = await asyncio.gather(*(pipeline.process_item(n) for n in range(10)))
        running = False
        return results

    assert asyncio.run(crawl_turns()) == list(range(10))
    assert len(processed_in_turn) == 10
    # no two pages in the same turn: the loop served its I/O between any two of them
    assert len(set(processed_in_turn)) == 10
    assert all(b > a for a, b in zip(processed_in_turn, processed_in_turn[1:], strict=False))
