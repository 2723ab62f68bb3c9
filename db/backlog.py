"""The crawl backlog: article URLs a source named that are not settled yet.

A row is written (and committed) before its request goes out and deleted only when the article
is stored, judged (not an article, no text) or failed for good (404, refused); a transient
failure (503, timeout, a full disk) keeps it for the next crawl. Rows older than the source's
look-back are dropped when the backlog is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils
from mediawatch.db.connection import write
from mediawatch.times import utc_iso


def add_to_backlog(
    db: sqlite_utils.Database, source: str, items: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    """Remember (url, hints) pairs; a URL already waiting keeps its row and attempts."""
    rows = [
        (source, url, json.dumps(hints, ensure_ascii=False), hints.get("published_at"), utc_iso())
        for url, hints in items
    ]
    if not rows:
        return
    with write(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO crawl_backlog (source, url, hints, published_at, added_at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


def backlog(db: sqlite_utils.Database, source: str, since: str) -> list[dict[str, Any]]:
    """The source's waiting URLs, oldest first; those older than `since` are dropped first."""
    age = "coalesce(published_at, added_at)"
    if db.execute(
        f"SELECT 1 FROM crawl_backlog WHERE source = ? AND {age} < ? LIMIT 1", [source, since]
    ).fetchone():
        with write(db):
            db.execute(f"DELETE FROM crawl_backlog WHERE source = ? AND {age} < ?", [source, since])
    out = []
    for url, hints, attempts in db.execute(
        f"SELECT url, hints, attempts FROM crawl_backlog WHERE source = ? ORDER BY {age}, url",
        [source],
    ):
        out.append({"url": url, "hints": json.loads(hints or "{}"), "attempts": attempts})
    return out


def settle_backlog(db: sqlite_utils.Database, source: str, url: str) -> None:
    """The URL is stored, judged or failed for good: it leaves the backlog."""
    with write(db):
        db.execute("DELETE FROM crawl_backlog WHERE source = ? AND url = ?", [source, url])


def retry_backlog(db: sqlite_utils.Database, source: str, url: str, error: str) -> int:
    """A transient failure: the URL stays for the next crawl; returns its attempts so far."""
    with write(db):
        db.execute(
            "UPDATE crawl_backlog SET attempts = attempts + 1, last_error = ? "
            "WHERE source = ? AND url = ?",
            [error, source, url],
        )
        row = db.execute(
            "SELECT attempts FROM crawl_backlog WHERE source = ? AND url = ?", [source, url]
        ).fetchone()
    return row[0] if row else 0


def waiting(db: sqlite_utils.Database, source: str, urls: Iterable[str]) -> set[str]:
    """Those of `urls` still in the source's backlog."""
    urls = list(dict.fromkeys(urls))
    found: set[str] = set()
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            url
            for (url,) in db.execute(
                f"SELECT url FROM crawl_backlog WHERE source = ? AND url IN ({marks})",
                [source, *chunk],
            )
        )
    return found
