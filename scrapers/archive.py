"""One archive connection per crawl process, shared by middlewares, spiders and the pipeline."""

from __future__ import annotations

import sqlite_utils

from mediawatch import db

_OPEN: dict[str, sqlite_utils.Database] = {}


def archive(path: str) -> sqlite_utils.Database:
    if path not in _OPEN:
        _OPEN[path] = db.connect(path)
    return _OPEN[path]


def close_all() -> None:
    for conn in _OPEN.values():
        conn.conn.close()
    _OPEN.clear()
