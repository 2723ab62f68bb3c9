"""Articles: store once per canonical URL, and answer "is this URL known?" before any download."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from mediawatch.db.connection import ArchiveError, write
from mediawatch.times import utc_iso

ARTICLE_COLUMNS = (
    "url",
    "source",
    "outlet",
    "title",
    "text",
    "published_at",
    "language",
    "authors",
    "section",
    "lead_image",
    "description",
    "date_source",
    "resolved",
    "meta",
    "backfilled",
)


@dataclass
class StoreResult:
    article_id: int
    created: bool


def content_hash(title: str | None, text: str | None) -> str:
    """Hash of whitespace-folded text, to spot the same article under two URLs."""
    folded = " ".join(f"{title or ''} {text or ''}".split()).lower()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def known_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """Those of `urls` that were already fetched or stored (any form: request, final or canonical).

    store_article records every form, the stored URL included, in fetched_urls: one lookup suffices.
    """
    urls = list(dict.fromkeys(u for u in urls if u))
    found: set[str] = set()
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for (url,) in db.execute(f"SELECT url FROM fetched_urls WHERE url IN ({marks})", chunk):
            found.add(url)
    return found


def store_article(
    db: sqlite_utils.Database, article: dict[str, Any], also_urls: Iterable[str] = ()
) -> StoreResult:
    """Insert the article unless its canonical URL is stored, or the same outlet's article with the
    same text is (then this URL is recorded as an alias of it); remember every URL that led to it."""
    row = {k: article.get(k) for k in ARTICLE_COLUMNS if k in article}
    for key in ("authors", "meta"):
        if key in row and not isinstance(row[key], str):
            row[key] = json.dumps(row[key], ensure_ascii=False)
    row["fetched_at"] = article.get("fetched_at") or utc_iso()
    row["content_hash"] = content_hash(row.get("title"), row.get("text"))
    with write(db):
        existing = db.execute("SELECT id FROM articles WHERE url = ?", [row["url"]]).fetchone()
        if not existing and (row.get("text") or "").strip() and row.get("resolved", 1):
            existing = db.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND outlet IS ? AND resolved = 1 "
                "ORDER BY id LIMIT 1",
                [row["content_hash"], row.get("outlet")],
            ).fetchone()
        if existing:
            article_id, created = existing[0], False
        else:
            article_id = _insert_article(db, row)
            created = True
        now = row["fetched_at"]
        db.conn.executemany(
            "INSERT OR IGNORE INTO fetched_urls (url, article_id, fetched_at) VALUES (?,?,?)",
            [(url, article_id, now) for url in {row["url"], *also_urls} if url],
        )
    return StoreResult(article_id, created)


def _insert_article(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    """One plain INSERT: a crawl stores every article through here, and sqlite-utils' insert()
    looks the table up in sqlite_master and rebuilds its statement each time. The columns are
    ARTICLE_COLUMNS and the two computed ones, never input."""
    columns = list(row)
    cursor = db.execute(
        f"INSERT INTO articles ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
    if cursor.lastrowid is None:
        raise ArchiveError("articles: insert recorded no row id")
    return cursor.lastrowid


def link_same_story(db: sqlite_utils.Database, unresolved_id: int, article_id: int) -> None:
    """Point an unresolved search-feed item at the article another source brought."""
    with write(db):
        db.execute("UPDATE articles SET same_as = ? WHERE id = ?", [article_id, unresolved_id])


def find_unresolved(db: sqlite_utils.Database, title: str | None) -> list[int]:
    """Unresolved items (Google News) whose title matches, to link them to a fetched article."""
    if not title:
        return []
    sql = (
        "SELECT id FROM articles WHERE resolved = 0 AND same_as IS NULL AND lower(title) = lower(?)"
    )
    return [r[0] for r in db.execute(sql, [title.strip()])]


def find_resolved(db: sqlite_utils.Database, title: str) -> int | None:
    """A fetched article with this exact title (case-insensitive), for an unresolved search item."""
    if not title.strip():
        return None
    row = db.execute(
        "SELECT id FROM articles WHERE resolved = 1 AND lower(title) = lower(?) ORDER BY id LIMIT 1",
        [title.strip()],
    ).fetchone()
    return row[0] if row else None


def get_article(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    rows = list(db.table("articles").rows_where("id = ?", [article_id]))
    return rows[0] if rows else None
