"""Reads and writes for re-flagging the archive: articles in id order, flags stored a batch at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlite_utils
from mediawatch.db.connection import write
from mediawatch.db.matches import store_matches

_SINCE = "coalesce(published_at, fetched_at) >= ?"


def iter_articles(
    db: sqlite_utils.Database, since: str | None = None, batch: int = 500
) -> Iterator[list[dict[str, Any]]]:
    """(id, url, title, text) rows in id order, `batch` at a time, without holding a read open
    between."""
    last = 0
    while True:
        sql = "SELECT id, url, title, text FROM articles WHERE id > ?"
        params: list[Any] = [last]
        if since:
            sql += f" AND {_SINCE}"
            params.append(since)
        sql += " ORDER BY id LIMIT ?"
        params.append(batch)
        rows = [
            {"id": r[0], "url": r[1], "title": r[2] or "", "text": r[3] or ""}
            for r in db.execute(sql, params)
        ]
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def store_batch(
    db: sqlite_utils.Database, flagged: Iterable[tuple[int, list[dict[str, Any]]]]
) -> list[tuple[set[str], set[str]]]:
    """Replace the flags of several articles in one transaction; (added, removed) per article."""
    with write(db):
        return [store_matches(db, article_id, matches) for article_id, matches in flagged]
