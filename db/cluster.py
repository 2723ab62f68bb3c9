"""What the cluster's archive writer reads from the archive: every URL already fetched or stored."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils


def all_known_urls(db: sqlite_utils.Database, batch: int = 5000) -> Iterator[list[str]]:
    """Every form of every stored article's URL, in batches (seeds the shared known-URL set)."""
    rows = db.execute("SELECT url FROM fetched_urls")
    while chunk := rows.fetchmany(batch):
        yield [r[0] for r in chunk]
