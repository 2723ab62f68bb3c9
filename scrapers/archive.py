"""The archive connection of one crawl, owned by a Scrapy extension rather than a module global.

The spider, the pipeline, the conditional-GET middleware and the run recorder reach it through
their crawler (`archive_of(crawler)`). It opens on first use (the run recorder's spider_opened)
and closes when the crawl's engine stops, after every spider_closed handler has recorded the run.
Each crawler of a process has its own connection: all of them write from the reactor thread, one
short transaction at a time, so they never wait on each other.
"""

from __future__ import annotations

import sqlite_utils
from scrapy import signals

from mediawatch import db


class ArchiveConnection:
    def __init__(self, crawler):
        self.path = crawler.settings.get("MEDIAWATCH_DB_PATH")
        self._conn: sqlite_utils.Database | None = None
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def conn(self) -> sqlite_utils.Database:
        if self._conn is None:
            if not self.path:
                raise db.ArchiveError("this crawl writes no archive (MEDIAWATCH_DB_PATH is empty)")
            self._conn = db.connect(self.path)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.conn.close()
            self._conn = None


def archive_of(crawler) -> sqlite_utils.Database:
    """The crawl's archive connection (opened now if this is its first use)."""
    owner = crawler.get_extension(ArchiveConnection)
    if owner is None:
        raise db.ArchiveError(
            "this crawl has no archive connection (ArchiveConnection not enabled)"
        )
    return owner.conn
