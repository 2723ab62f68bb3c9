"""What the cluster's archive writer reads from the archive: every URL already fetched or stored."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils


def all_known_urls(db: sqlite_utils.Database, batch: int = 5000) -> Iterator[list[str]]:
    """Every form of every stored article's URL, in batches (seeds the shared known-URL set)."""
    rows = db.execute("SELECT url FROM fetched_urls")
    while chunk := rows.fetchmany(batch):
        yield [r[0] for r in chunk]


def resolved_gnews_links(
    db: sqlite_utils.Database, batch: int = 5000
) -> Iterator[list[tuple[str, str]]]:
    """Every Google News token resolved so far, with its publisher URL, in batches."""
    rows = db.execute("SELECT token, url FROM gnews_links WHERE state = 'resolved'")
    while chunk := rows.fetchmany(batch):
        yield [(r[0], r[1]) for r in chunk]


def open_runs(db: sqlite_utils.Database, source: str) -> list[int]:
    """The source's runs still marked running (a cluster cycle whose Redis state was lost)."""
    sql = "SELECT id FROM crawl_runs WHERE source = ? AND status = 'running' ORDER BY id"
    return [r[0] for r in db.execute(sql, [source])]
