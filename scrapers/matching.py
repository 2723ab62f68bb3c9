"""Pipeline step: flag an article with the watchlist's topics (the matcher is compiled once per crawl).

Matching is pure CPU work, so it runs before the write transaction; storing the flags is then part
of the article's one transaction, which keeps the archive's write lock short for parallel crawls.
"""

from __future__ import annotations

from mediawatch import db


def find_topics(matcher, title: str | None, text: str | None) -> list[dict]:
    if matcher is None:
        return []
    return [m.to_dict() for m in matcher.match(title or "", text or "")]


def store_flags(conn, article_id: int, found: list[dict]) -> None:
    if found:
        db.store_matches(conn, article_id, found)
