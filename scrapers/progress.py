"""What a crawl is doing, per source, while it runs: pages fetched, articles stored, errors.

`mediawatch crawl` opens a Board for the whole process (every spider of the crawl reports to it):
on a terminal a live table redrawn in place, otherwise one line per source when it is done. The
CrawlProgress extension feeds it from Scrapy's signals; without a board (`scrapy crawl`, `--json`)
it only turns spider exceptions into crawl errors.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from scrapy import signals

if TYPE_CHECKING:  # imported when drawing starts, inside the reactor Scrapy chose
    from twisted.internet import task

REFRESH_SECONDS = 0.5


@dataclass
class Row:
    source: str
    state: str = "waiting"
    pages: int = 0
    stored: int = 0
    errors: int = 0

    def line(self) -> str:
        return (
            f"{self.source:<28} {self.state:<8} {self.pages:>5} pages  "
            f"{self.stored:>4} stored  {self.errors:>3} errors"
        )


class Board:
    def __init__(self, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.rows: dict[str, Row] = {}
        self._drawn = 0
        self._loop: task.LoopingCall | None = None

    def add(self, source: str) -> Row:
        return self.rows.setdefault(source, Row(source))

    def start(self) -> None:
        """Begin redrawing; called from inside the running reactor (the first spider_opened),
        so the reactor Scrapy chose is the one already installed."""
        if self.live and self._loop is None:
            from twisted.internet import task

            self._loop = task.LoopingCall(self.draw)
            self._loop.start(REFRESH_SECONDS, now=True)

    def finished(self, row: Row) -> None:
        if self.live:
            self.draw()
        else:
            self.stream.write(row.line().rstrip() + "\n")
            self.stream.flush()

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.live:
            self.draw()

    def draw(self) -> None:
        """Redraw the table in place: move up over the last drawing, rewrite every line."""
        out = []
        if self._drawn:
            out.append(f"\x1b[{self._drawn}F")
        for row in self.rows.values():
            out.append("\x1b[2K" + row.line() + "\n")
        self._drawn = len(self.rows)
        self.stream.write("".join(out))
        self.stream.flush()


_BOARD: Board | None = None


def open_board(board: Board | None) -> None:
    global _BOARD
    _BOARD = board


def current_board() -> Board | None:
    return _BOARD


class CrawlProgress:
    """Counts each spider's responses, stored articles and errors for the board; records a
    spider exception as an error of the crawl run (one line) rather than a logged traceback."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.row: Row | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response, signal=signals.response_received)
        crawler.signals.connect(self.scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.scraped, signal=signals.item_dropped)
        crawler.signals.connect(self.failed, signal=signals.spider_error)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        board = current_board()
        if board is not None:
            self.row = board.add(spider.name)
            self.row.state = "running"
            board.start()

    def response(self, response, request, spider):
        if self.row is not None and not request.url.endswith("/robots.txt"):
            self.row.pages += 1
            self._sync(spider)

    def scraped(self, item, response, spider, **_):
        self._sync(spider)

    def failed(self, failure, response, spider):
        record = getattr(spider, "record_error", None)
        if record is not None:
            exc = failure.value
            record(f"{response.url}: {type(exc).__name__}: {exc}")
        self._sync(spider)

    def closed(self, spider, reason):
        if self.row is None:
            return
        self._sync(spider)
        if reason != "finished":
            self.row.state = reason
        else:
            self.row.state = "failed" if getattr(spider, "index_failed", False) else "done"
        board = current_board()
        if board is not None:
            board.finished(self.row)

    def _sync(self, spider) -> None:
        if self.row is not None:
            self.row.stored = getattr(spider, "new_articles", 0)
            self.row.errors = len(getattr(spider, "errors", ()))
