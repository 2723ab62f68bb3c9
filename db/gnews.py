"""Google News tokens: the token -> publisher URL cache and the per-source backlog of unresolved ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils
from mediawatch.db.connection import write
from mediawatch.times import utc_iso


def note_tokens(
    db: sqlite_utils.Database, source: str, items: Iterable[tuple[str, str, str | None]]
):
    """Remember (token, link, published_at) as pending unless already known."""
    now = utc_iso()
    with write(db):
        for token, link, published_at in items:
            db.execute(
                "INSERT OR IGNORE INTO gnews_links (token, source, link, published_at, state, "
                "first_seen) VALUES (?, ?, ?, ?, 'pending', ?)",
                [token, source, link, published_at, now],
            )


def resolved_urls(db: sqlite_utils.Database, tokens: Iterable[str]) -> dict[str, str]:
    """The publisher URL of each token already resolved (by any source)."""
    tokens = list(dict.fromkeys(tokens))
    found: dict[str, str] = {}
    for i in range(0, len(tokens), 500):
        chunk = tokens[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT token, url FROM gnews_links WHERE state = 'resolved' AND token IN ({marks})"
        found.update(dict(db.execute(sql, chunk).fetchall()))
    return found


def backlog(db: sqlite_utils.Database, source: str, since: str, limit: int) -> list[dict[str, Any]]:
    """Unresolved tokens of this source seen or published since `since`, newest first."""
    sql = (
        "SELECT g.token, g.link, g.published_at, a.title, a.outlet FROM gnews_links g "
        "LEFT JOIN articles a ON a.url = g.link WHERE g.source = ? "
        "AND g.state != 'resolved' AND coalesce(g.published_at, g.first_seen) >= ? "
        "ORDER BY coalesce(g.published_at, g.first_seen) DESC LIMIT ?"
    )
    keys = ("token", "link", "published_at", "title", "outlet")
    return [dict(zip(keys, row, strict=True)) for row in db.execute(sql, [source, since, limit])]


def mark_resolved(db: sqlite_utils.Database, token: str, url: str) -> None:
    with write(db):
        db.execute(
            "UPDATE gnews_links SET state = 'resolved', url = ?, attempts = attempts + 1, "
            "last_error = NULL, last_try = ? WHERE token = ?",
            [url, utc_iso(), token],
        )


def mark_failed(db: sqlite_utils.Database, token: str, error: str) -> None:
    with write(db):
        db.execute(
            "UPDATE gnews_links SET state = 'failed', attempts = attempts + 1, last_error = ?, "
            "last_try = ? WHERE token = ? AND state != 'resolved'",
            [error, utc_iso(), token],
        )


def link_item(db: sqlite_utils.Database, link: str, article_url: str) -> bool:
    """Point the unresolved item stored for `link` at the article fetched from `article_url`."""
    row = db.execute("SELECT article_id FROM fetched_urls WHERE url = ?", [article_url]).fetchone()
    if not row:
        return False
    with write(db):
        db.execute(
            "UPDATE articles SET same_as = ? WHERE url = ? AND resolved = 0 AND id != ?",
            [row[0], link, row[0]],
        )
    return True


def link_counts(db) -> dict[str, dict[str, int]]:
    """Per gnews source: how many tokens are resolved, pending (never tried) and failed."""
    out: dict[str, dict[str, int]] = {}
    if "gnews_links" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}:
        return out
    for source, state, n in db.execute(
        "SELECT source, state, count(*) FROM gnews_links GROUP BY source, state"
    ):
        out.setdefault(source, {"resolved": 0, "pending": 0, "failed": 0})[state] = n
    return out
